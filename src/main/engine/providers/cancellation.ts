import { StepError } from '../errors'

/** Throw the engine's "cancelled" StepError (not a bare DOMException) when the signal has fired. */
export function throwIfCancelled(signal: AbortSignal | undefined, provider: string): void {
  if (signal?.aborted) throw new StepError('cancelled', `${provider}: cancelled`, { provider })
}
