/**
 * `studio batch … --estimate` and batch/estimate: the rows a batch would queue (its --rows range,
 * refused rows left out), each built as the import builds it, timed and priced by estimateJobs —
 * and nothing queued, no batch left, no staging copy left.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/api/handlers'
import { studioHandlers } from '../../src/main/api/studio-handlers'
import { estimateJobs } from '../../src/main/engine/estimate'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { cli } from '../helpers/cli'
import { closeAfterEach } from '../helpers/closing'
import { tempDir } from '../helpers/engine'

const track = closeAfterEach()
// Never contacted: an estimate calls no provider. A paid model makes the cost non-zero.
const PAID_TEXT = { text: { kind: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'gpt-4o-mini' } }

/** Ten data rows (2–11); row 5 holds an unquoted comma, so the import would refuse it (a shifted row). */
function sheet(dir: string): string {
  const file = join(dir, 'ideas.csv')
  const rows = Array.from({ length: 10 }, (_, i) => (i + 2 === 5 ? 'Why the sky, at noon, looks blue' : `Why the sky looks blue at noon take ${i + 2}`))
  writeFileSync(file, ['prompt', ...rows].join('\n') + '\n')
  return file
}

describe('studio batch --estimate', () => {
  it('counts the rows of --rows that would be queued, prices them as the import builds them, and queues nothing', async () => {
    const dir = tempDir('studio-batch-estimate-')
    const data = join(dir, 'data')
    const run = cli(data, 'studio')
    expect((await run('settings', '--providers', JSON.stringify(PAID_TEXT))).code).toBe(0)
    const file = sheet(dir)

    const json = await run('--json', 'batch', file, '--rows', '3-8', '--pipeline', 'text', '--estimate')
    expect(json.err).toBe('')
    expect(json.code).toBe(0)
    const e = JSON.parse(json.out)
    expect(e).toMatchObject({ pipeline: 'text', rows: 5, refused: 1, costKnown: true })
    expect(e.costUsd).toBeGreaterThan(0)

    const text = await run('batch', file, '--rows', '3-8', '--pipeline', 'text', '--estimate')
    expect(text.out).toMatch(/^5 rows of pipeline "text" would be queued \(1 refused\)\n {2}time {2}~.+\n {2}cost {2}\$0\.\d{4}\nnothing was queued\n$/)

    // Nothing queued, no batch, no staging copy left behind.
    const studio = track(openStudio({ dataDir: data, env: {} }), (s: Studio) => s.close(0))
    expect(studio.queue.stats().total).toBe(0)
    expect(studio.batches.list()).toEqual([])
    const previews = join(data, 'batches', 'previews')
    expect(existsSync(previews) ? readdirSync(previews) : []).toEqual([])

    // The same range imported for real: its stored row inputs, priced by estimateJobs, give the same figures.
    const created = await studio.batches.create({ source: { kind: 'file', path: file }, config: { pipeline: 'text', rowRange: { start: 3, end: 8 } } })
    const inputs = studio.db
      .prepare<[string], { input: string }>("SELECT input FROM batch_rows WHERE batch_id = ? AND state = 'ready' ORDER BY row_number")
      .all(created.id)
      .map((r) => ({ type: 'text', input: JSON.parse(r.input) as Record<string, unknown> }))
    expect(inputs).toHaveLength(5)
    const real = estimateJobs(studio, inputs)
    expect(e.costUsd).toBe(real.costUsd)
    expect(e.workMs).toBe(real.workMs)
    expect(e.wallClockMs).toBe(real.wallClockMs)
    // Five rows of ~45 characters, 600 output tokens each, at gpt-4o-mini's $0.15 / $0.60 per million tokens.
    const perRow = (inputLen: number) => ((Math.ceil(inputLen / 4) + 150) * 0.15 + 600 * 0.6) / 1e6
    const expected = [3, 4, 6, 7, 8].reduce((s, n) => s + perRow(`Why the sky looks blue at noon take ${n}`.length), 0)
    expect(e.costUsd).toBeCloseTo(expected, 9)
  })

  it('through the command API: the same request as batch/preview; a file path is refused, a dropped file is estimated', async () => {
    const dir = tempDir('studio-batch-estimate-api-')
    const studio = track(openStudio({ dataDir: join(dir, 'data'), env: {} }), (s: Studio) => s.close(0))
    const handlers = studioHandlers(studio)
    const file = sheet(dir)
    const byPath = await dispatch(handlers, 'batch/estimate', { source: { kind: 'file', path: file }, config: { pipeline: 'text' } })
    expect(byPath).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    const { readFileSync } = await import('node:fs')
    const upload = { kind: 'upload' as const, name: 'ideas.csv', contentBase64: readFileSync(file).toString('base64') }
    const r = await dispatch(handlers, 'batch/estimate', { source: upload, config: { pipeline: 'text' } })
    expect(r).toMatchObject({ ok: true, value: { pipeline: 'text', rows: 9, refused: 1, costUsd: 0, costKnown: true } })
    expect(studio.queue.stats().total).toBe(0)
    const bad = await dispatch(handlers, 'batch/estimate', { source: upload, config: { pipeline: 'nope' } })
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringContaining('config.pipeline') } })
  })
})
