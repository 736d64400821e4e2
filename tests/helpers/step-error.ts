import { expect } from 'vitest'
import { StepError } from '../../src/main/engine/errors'

/** The StepError a provider call rejects with (fails the test if it resolves or throws anything else). */
export async function failure(promise: Promise<unknown>): Promise<StepError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(StepError)
  return err as StepError
}
