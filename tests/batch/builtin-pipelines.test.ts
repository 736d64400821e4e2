import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { batchResultsCsv } from '../../src/main/engine/batch/export'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { closeAfterEach } from '../helpers/closing'
import { tempDir, until } from '../helpers/engine'
import { csvFile } from './helpers/batches'

/**
 * Batches over the pipelines the app ships (offline providers), not the test pipelines: each
 * job type the batch form offers must run its rows, with the sheet's own columns reaching them.
 */
const track = closeAfterEach()

function studio(): Studio {
  return track(
    openStudio({ dataDir: tempDir('studio-batch-builtin-'), concurrency: 2, env: {}, timings: { leaseMs: 5_000, pollMs: 25, reclaimEveryMs: 200, progressIntervalMs: 100 } }),
    (s) => s.close(100)
  )
}

async function runBatch(s: Studio, file: string, pipeline: string) {
  const created = await s.batches.create({ source: { kind: 'file', path: file }, config: { pipeline } })
  s.startWork()
  s.batches.startBatch(created.id)
  await until(() => ['completed', 'error'].includes(s.batches.view(created.id).status), 30_000, `the ${pipeline} batch to finish`)
  return s.batches.view(created.id)
}

describe('batches over the built-in pipelines', () => {
  it('runs an image batch, each row with the visual style of its Style cell', async () => {
    const s = studio()
    const file = csvFile(s.dataDir, 'images.csv', ['prompt;style', 'a lighthouse at dawn;watercolor', 'a red fox;'])
    const v = await runBatch(s, file, 'image')
    // The batch's writing style (an object) used to be put in the image's "style" text: every row refused.
    expect(v).toMatchObject({ status: 'completed', doneRows: 2, invalidRows: 0, errors: [] })
    const jobs = s.queue.list({ batchId: v.id }).sort((a, b) => a.title.localeCompare(b.title))
    expect(jobs.map((j) => (j.payload as { style?: unknown }).style)).toEqual(['watercolor', undefined])
    expect(existsSync(v.lastResult!.outputPath!)).toBe(true)
  })

  it('runs a 3d batch', async () => {
    const s = studio()
    const file = csvFile(s.dataDir, 'models.csv', ['prompt', 'a small teapot'])
    // "3d" starts with a digit: the config refused it as "not a pipeline name".
    const v = await runBatch(s, file, '3d')
    expect(v).toMatchObject({ status: 'completed', doneRows: 1, errors: [] })
    expect(v.lastResult!.outputPath).toMatch(/\.obj$/)
  })

  it('feeds columns named as pipeline fields: music from "mood" and "durationSec", a graphic from "kind" and "title"', async () => {
    const s = studio()
    // The main text was looked for only under idea/prompt/title…: a "mood" column was "not found".
    const music = await runBatch(s, csvFile(s.dataDir, 'music.csv', ['mood,durationSec', 'happy,3']), 'music')
    expect(music).toMatchObject({ status: 'completed', doneRows: 1, ignoredColumns: [] })
    expect(s.queue.list({ batchId: music.id })[0]!.payload).toMatchObject({ mood: 'happy', durationSec: 3 })

    // Other fields were only found under a few known names: "kind" and "title" were reported as
    // columns the graphic pipeline has no field for, and every graphic came out a titleless poster.
    const graphic = await runBatch(s, csvFile(s.dataDir, 'graphic.csv', ['prompt,kind,title', 'a bakery,logo,Chez Paul']), 'graphic')
    expect(graphic).toMatchObject({ status: 'completed', doneRows: 1, ignoredColumns: [] })
    expect(s.queue.list({ batchId: graphic.id })[0]!.payload).toMatchObject({ prompt: 'a bakery', kind: 'logo', title: 'Chez Paul' })
  })
  it('refuses a row whose idea is pages long with a reason that quotes only its start', async () => {
    const s = studio()
    const long = 'Once upon a time '.repeat(600)
    const file = csvFile(s.dataDir, 'long.csv', ['idea,priority', `"${long}",2`, `short idea,"${'9'.repeat(300)}"`])
    const v = await s.batches.create({ source: { kind: 'file', path: file }, config: { pipeline: 'video' } })
    expect(v.invalidRows).toBe(2)
    const [tooLong, badPriority] = v.errors.map((e) => e.reason)
    // The whole cell (10 199 characters once trimmed) was quoted in the reason: in the status, the app and the export.
    expect(tooLong).toMatch(/^row 2: column "idea" \(idea\): idea is too long \(2000 characters at most\) \(got "Once upon a time Once .{50,80}"… \(10199 characters\)\)$/)
    expect(badPriority).toMatch(/^row 3: column "priority": must be a whole number from 1 \(runs first\) to 10 \(got "9+"… \(300 characters\)\)$/)
    // The export carries the row's own cells once (to paste back beside the sheet), the reasons stay short.
    const exported = batchResultsCsv(s.stores.batchReports, v.id)
    expect(exported.split(long.trim()).length).toBe(2)
    expect(exported.length).toBeLessThan(1000 + long.length + 300)
  })
})
