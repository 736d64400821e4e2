/**
 * A refused request carries its problems as data (ApiError.issues: path, zod code, bounds) next to
 * the English message the CLI and the logs keep: from the contract's own schema (dispatch), from
 * a pipeline's input schema (jobs/enqueue, jobs/enqueueMany) and from a batch config.
 */
import { describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/api/handlers'
import { studioHandlers } from '../../src/main/api/studio-handlers'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { closeAfterEach } from '../helpers/closing'
import { tempDir } from '../helpers/engine'

const track = closeAfterEach()
const closeStudio = (s: Studio) => s.close(100)

describe('ApiError.issues', () => {
  it('names each refused field with its code and bounds, and keeps the English message as it was', async () => {
    const studio = track(openStudio({ dataDir: tempDir('api-issues-'), env: {} }), closeStudio)
    const handlers = studioHandlers(studio)

    const noIdea = await dispatch(handlers, 'jobs/enqueue', { type: 'video', input: {} })
    expect(noIdea).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(/^input\.idea: /) } })
    expect(!noIdea.ok && noIdea.error.issues).toEqual([
      expect.objectContaining({ path: ['input', 'idea'], code: 'invalid_type', expected: 'string', received: 'undefined' })
    ])

    const settings = await dispatch(handlers, 'settings/update', { concurrency: 0, subtitleStyle: { fontSize: 900, color: 'red' }, colour: 1 })
    expect(!settings.ok && settings.error.message).toMatch(/^settings\/update: /)
    const byPath = Object.fromEntries((!settings.ok ? settings.error.issues! : []).map((i) => [i.path.join('.'), i]))
    expect(byPath['concurrency']).toMatchObject({ code: 'too_small', minimum: 1, origin: 'number', inclusive: true })
    expect(byPath['subtitleStyle.fontSize']).toMatchObject({ code: 'too_big', maximum: 300 })
    expect(byPath['subtitleStyle.color']).toMatchObject({ code: 'invalid_format', format: 'regex' })
    expect(byPath['']).toMatchObject({ code: 'unrecognized_keys', keys: ['colour'] })

    // Each copy of a job is named by its index: the window folds them into one sentence.
    const many = await dispatch(handlers, 'jobs/enqueueMany', { jobs: [{ type: 'video', input: { idea: 'x' } }, { type: 'video', input: { idea: 'a whale' }, priority: 11 }] })
    expect(!many.ok && many.error.issues?.map((i) => i.path)).toEqual([['jobs', 1, 'priority']])

    const config = await dispatch(handlers, 'batch/configs/save', { name: 'x', config: { intensity: 9, adversarial: 'loud' } })
    expect(!config.ok && config.error.issues?.map((i) => [i.path.join('.'), i.code])).toEqual(
      expect.arrayContaining([
        ['config.intensity', 'too_big'],
        ['config.adversarial', 'invalid_value']
      ])
    )
  })
})
