/**
 * Every domain error extends StudioError, and dispatch turns any of them into the contract's error
 * from its code and field: a new error class needs no new branch in the api layer.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dispatch, type Handlers } from '../../src/main/api/handlers'
import { ConfigError } from '../../src/main/engine/batch/config'
import { ForbiddenAddressError } from '../../src/main/engine/batch/sources/address-policy'
import { RowSourceError } from '../../src/main/engine/batch/sources/errors'
import { MappingError } from '../../src/main/engine/batch/sources/mapping'
import { TemplateError } from '../../src/main/engine/batch/templates'
import { LeaseLostError, QueueError, StepError, StudioError } from '../../src/main/engine/errors'
import { JsonDepthError } from '../../src/main/engine/json-text'
import { WavFormatError } from '../../src/main/engine/providers/wav'

/** A handler map whose one command throws `err` (dispatch is what is under test, not a domain). */
const throwing = (err: unknown) => ({ 'queue/eta': () => { throw err } }) as unknown as Handlers
const answer = async (err: unknown) => {
  const r = await dispatch(throwing(err), 'queue/eta', {})
  if (r.ok) throw new Error('the command should have failed')
  return r.error
}

describe('domain errors', () => {
  it('each answers with its stable code, its message and its issues under its field', async () => {
    expect(await answer(new QueueError('not_found', 'no job 7'))).toEqual({ code: 'not_found', message: 'no job 7' })
    expect(await answer(new LeaseLostError('j1'))).toMatchObject({ code: 'conflict' })
    expect(await answer(new MappingError('no column "Idea"'))).toEqual({ code: 'bad_request', message: 'no column "Idea"' })
    expect(await answer(new TemplateError('no such template'))).toMatchObject({ code: 'bad_request' })
    expect(await answer(new JsonDepthError('too deep'))).toMatchObject({ code: 'bad_request' })
    expect(await answer(new WavFormatError('not a RIFF/WAVE file'))).toMatchObject({ code: 'bad_request' })
    expect(await answer(new ForbiddenAddressError('x.test', '10.0.0.1', 'private'))).toMatchObject({ code: 'forbidden' })
    expect(await answer(new StepError('permanent', 'the key was refused'))).toMatchObject({ code: 'provider_error' })
    // A sheet's own codes stay on the error for code that reacts to them; the request is what to change.
    const sheet = new RowSourceError('NOT_SHARED', 'the sheet is not shared')
    expect(sheet.code).toBe('NOT_SHARED')
    expect(await answer(sheet)).toEqual({ code: 'bad_request', message: 'the sheet is not shared' })
    // A config's problems are relative to the config: the contract's paths start at the request field.
    const config = await answer(new ConfigError([{ field: 'rowRange.end', message: 'must be a number' }]))
    expect(config).toMatchObject({ code: 'bad_request', message: 'rowRange.end: must be a number' })
    expect(config.issues).toEqual([expect.objectContaining({ path: ['config', 'rowRange', 'end'] })])
    // A field with no issues is still named, as one issue.
    const named = await answer(new StudioError('bad_request', 'not a link', { field: 'source.url' }))
    expect(named.issues).toEqual([{ path: ['source', 'url'], code: 'custom', message: 'not a link' }])
  })

  it('anything else is an internal error with a readable sentence', async () => {
    const quiet = console.error
    console.error = () => {}
    try {
      expect(await answer(new TypeError('x is undefined'))).toEqual({ code: 'internal', message: 'internal error: x is undefined' })
    } finally {
      console.error = quiet
    }
  })

  it('no error class under src/main or src/shared extends Error directly, except the two that are not domain errors', () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) => {
        const p = join(dir, n)
        return statSync(p).isDirectory() ? walk(p) : /\.tsx?$/.test(n) ? [p] : []
      })
    const direct = [...walk('src/main'), ...walk('src/shared')].flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/class (\w+) extends Error\b/g)].map((m) => m[1])
    )
    // StudioError is the base; StopReason is an abort signal's reason (named AbortError on purpose);
    // AttemptFailure never leaves http-fetch.ts (it carries a RowSourceError between two attempts).
    expect(direct.sort()).toEqual(['AttemptFailure', 'StopReason', 'StudioError'])
  })
})
