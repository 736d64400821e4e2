import { ANY_ADDRESS } from '../../src/main/engine/batch/sources'
import { spawn } from 'node:child_process'
import { writeFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { batchResultsCsv } from '../../src/main/engine/batch/export'
import { tempDir, until } from '../helpers/engine'
import { useBatchEngine } from './helpers/batches'
import { callsOf } from '../helpers/test-pipelines'

const open = useBatchEngine()

function csv(dir: string, name: string, lines: string[], encoding: 'utf8' | 'win1252' = 'utf8'): string {
  const file = join(dir, name)
  writeFileSync(file, encoding === 'utf8' ? lines.join('\n') + '\n' : iconv.encode(lines.join('\r\n') + '\r\n', 'win1252'))
  return file
}

describe('batches of spreadsheet rows', () => {
  it('refuses a CSV row whose cells shifted (an unquoted comma), saying why, instead of queueing the wrong text', async () => {
    const { dir, batches } = open()
    const file = csv(dir, 'shifted.csv', ['idea,label', 'a fox, in the snow,r2', '"a fox, in the snow",r3', 'plain idea,r4,'])
    const created = await batches.create({ source: { kind: 'file', path: file }, config: { pipeline: 'three' } })
    expect(created).toMatchObject({ totalRows: 3, invalidRows: 1 })
    expect(created.errors).toEqual([
      { rowNumber: 2, reason: 'row 2: 3 cells for 2 columns (beyond the last: "r2"); a cell holding the delimiter must be in double quotes', jobId: null }
    ])
  })

  it('turns valid rows into jobs, reports bad rows by number and reason, and finishes', async () => {
    const { engine, batches, dir } = open()
    const file = csv(dir, 'idées.csv', ['Idée;Label;Langue', 'café crème;r2;fr', ';r3;fr', 'thé à la menthe;r4;fr', 'œufs brouillés;r5;fr'], 'win1252')
    const created = await batches.create({ source: { kind: 'file', path: file }, config: { pipeline: 'three' } })
    expect(created).toMatchObject({ status: 'idle', totalRows: 4, invalidRows: 1, source: 'idées.csv' })
    expect(created.errors).toEqual([{ rowNumber: 3, reason: 'row 3: column "Idée" is empty', jobId: null }])
    batches.start()
    engine.pool.start()
    batches.startBatch(created.id)
    await until(() => batches.view(created.id).status === 'completed', 10_000, 'batch to complete')
    const done = batches.view(created.id)
    expect(done).toMatchObject({ doneRows: 3, failedRows: 0, invalidRows: 1, progress: 100 })
    expect(done.lastResult?.rowNumber).toBeGreaterThanOrEqual(2)
    expect(done.metrics.avgStepMs).toHaveProperty('a')
    expect(done.metrics.costUsd).toBeCloseTo(0.09)
    const jobs = engine.queue.list({ batchId: created.id })
    expect(jobs.map((j) => (j.payload as { idea: string }).idea).sort()).toEqual(['café crème', 'thé à la menthe', 'œufs brouillés'])
    const exported = batchResultsCsv(engine.stores.batchReports, created.id).split('\r\n')
    // The BOM makes Excel read the accents as UTF-8.
    expect(exported[0]).toBe('\uFEFFrow,Idée,Label,Langue,status,job_id,output,word_count,duration_ms,cost_usd,cost_known,finished_at,error')
    expect(exported[2]).toMatch(/^3,,r3,fr,invalid,,.*row 3: column ""Idée"" is empty/)
  })

  it('refuses a bad config naming the field, and an unknown column mapping naming the column', async () => {
    const { batches, dir } = open()
    const file = csv(dir, 'a.csv', ['idea', 'x'])
    await expect(batches.create({ source: { kind: 'file', path: file }, config: { pipeline: 'three', intensity: 3 } })).rejects.toThrow(/intensity: must be from 0.5 to 1.5/)
    await expect(batches.create({ source: { kind: 'file', path: file }, config: { pipeline: 'nope' } })).rejects.toThrow(/config.pipeline: unknown pipeline "nope"/)
    await expect(batches.create({ source: { kind: 'file', path: file }, config: { pipeline: 'three', mapping: { idea: 'Sujet' } } })).rejects.toThrow(
      /column "Sujet" not found; available columns: "idea"/
    )
    // Refused, not kept as a batch that could never run.
    expect(batches.list()).toEqual([])
  })

  it('pauses (no new row starts), resumes, and retries failed rows from their failed step', async () => {
    const { engine, batches, dir } = open()
    const lines = ['idea,label', ...[2, 3, 4, 5, 6, 7].map((n) => `idea ${n},p${n}`)]
    writeFileSync(join(dir, 'fail-b-p4'), '')
    writeFileSync(join(dir, 'fail-b-p5'), '')
    writeFileSync(join(dir, 'hold'), '')
    const b = await batches.create({ source: { kind: 'file', path: csv(dir, 'p.csv', lines) }, config: { pipeline: 'three', mapping: { label: 'label' } } })
    engine.db.prepare("UPDATE batch_rows SET input = json_set(input, '$.holdWhile', json('{\"a\":\"hold\"}')) WHERE batch_id = ? AND row_number <= 3").run(b.id)
    batches.start()
    engine.pool.start()
    batches.startBatch(b.id)
    await until(() => batches.view(b.id).currentRows.length === 2, 5000, 'two rows running')
    batches.pause(b.id)
    rmSync(join(dir, 'hold'))
    await until(() => engine.queue.list({ batchId: b.id, status: 'processing' }).length === 0, 5000, 'running steps to finish')
    const paused = batches.view(b.id)
    expect(paused.status).toBe('paused')
    expect(paused.doneRows).toBe(0)
    expect(engine.queue.list({ batchId: b.id, status: 'paused' }).length).toBeGreaterThan(0)
    expect(engine.queue.list({ batchId: b.id, status: 'pending' })).toHaveLength(0)

    const pausedRows = engine.queue.list({ batchId: b.id, status: 'paused' }).map((j) => j.title.replace(/^.*#/, 'p'))
    expect(pausedRows).toEqual(expect.arrayContaining(['p2', 'p3']))

    batches.resume(b.id)
    await until(() => batches.view(b.id).status === 'completed', 10_000, 'batch to complete')
    // The rows paused after step a went on at step b: a ran once for each of them.
    for (const row of pausedRows) expect(callsOf(dir).filter((c) => c === `${row}:a`)).toHaveLength(1)
    let v = batches.view(b.id)
    expect(v).toMatchObject({ doneRows: 4, failedRows: 2 })
    expect(v.metrics.errorRate).toBeCloseTo(2 / 6)
    expect(v.metrics.alert).toBe(true)
    expect(v.errors.map((e) => e.rowNumber)).toEqual([4, 5])
    expect(v.errors[0]!.reason).toBe('b: b refused p4')

    rmSync(join(dir, 'fail-b-p4'))
    rmSync(join(dir, 'fail-b-p5'))
    batches.retryFailed(b.id)
    await until(() => batches.view(b.id).status === 'completed', 10_000, 'retried batch to complete')
    v = batches.view(b.id)
    expect(v).toMatchObject({ doneRows: 6, failedRows: 0 })
    const calls = callsOf(dir)
    expect(calls.filter((c) => c === 'p4:a')).toHaveLength(1)
    expect(calls.filter((c) => c === 'p4:b')).toHaveLength(2)
  })

  it('stop cancels pending rows and keeps what finished', async () => {
    const { engine, batches, dir } = open(tempDir(), 1)
    writeFileSync(join(dir, 'hold'), '')
    const lines = ['idea,label', ...[2, 3, 4, 5].map((n) => `s ${n},s${n}`)]
    const b = await batches.create({ source: { kind: 'file', path: csv(dir, 's.csv', lines) }, config: { pipeline: 'three', mapping: { label: 'label' } } })
    engine.db.prepare("UPDATE batch_rows SET input = json_set(input, '$.holdWhile', json('{\"b\":\"hold\"}')) WHERE batch_id = ? AND row_number = 3").run(b.id)
    batches.start()
    engine.pool.start()
    batches.startBatch(b.id)
    const row3Running = () => {
      const job = engine.queue.list({ batchId: b.id }).find((j) => j.title.endsWith('#3'))
      return job && engine.queue.get(job.id)!.steps[1]!.status === 'running'
    }
    await until(row3Running, 5000, 'row 3 to hold in step b')
    const stopped = batches.stopBatch(b.id)
    expect(stopped.status).toBe('stopped')
    await until(() => engine!.queue.list({ batchId: b.id, status: ['pending', 'processing'] }).length === 0, 5000, 'no open job')
    const v = batches.view(b.id)
    expect(v.doneRows).toBe(1)
    const row3 = engine.queue.list({ batchId: b.id }).find((j) => j.title.endsWith('#3'))!
    expect(engine.queue.get(row3.id)!.steps.map((s) => s.status)).toEqual(['completed', 'cancelled', 'pending'])
    expect(engine.queue.list({ batchId: b.id, status: 'cancelled' }).length).toBeGreaterThanOrEqual(1)
  })

  it('two batches and single jobs share the pool', async () => {
    const { engine, batches, dir } = open(tempDir(), 2)
    const a = await batches.create({ source: { kind: 'file', path: csv(dir, 'a.csv', ['idea,label', ...[...Array(8)].map((_, i) => `a${i},a${i}`)]) }, config: { pipeline: 'one' } })
    const b = await batches.create({ source: { kind: 'file', path: csv(dir, 'b.csv', ['idea,label', ...[...Array(8)].map((_, i) => `b${i},b${i}`)]) }, config: { pipeline: 'one' } })
    batches.start()
    batches.startBatch(a.id)
    batches.startBatch(b.id)
    const single = engine.queue.enqueue({ type: 'one', input: { label: 'single', sleepMs: {} } })
    engine.pool.start()
    await until(() => batches.view(a.id).status === 'completed' && batches.view(b.id).status === 'completed', 10_000, 'both batches')
    const order = engine.db
      .prepare<[], { batch_id: string | null; id: string }>("SELECT batch_id, id FROM jobs ORDER BY completed_at, rowid")
      .all()
    const firstHalf = order.slice(0, 8)
    expect(firstHalf.some((j) => j.batch_id === a.id)).toBe(true)
    expect(firstHalf.some((j) => j.batch_id === b.id)).toBe(true)
    // The single job waits behind each batch's small window of queued rows, not behind whole batches.
    expect(order.findIndex((j) => j.id === single.id)).toBeLessThanOrEqual(2 * 4 + 1)
  })

  it('reads rows from a Sheets-style CSV export URL, keeping the secret out of the label', async () => {
    const server = createServer((req, res) => {
      if (!req.url?.startsWith('/export')) return res.writeHead(404).end()
      res.writeHead(200, { 'content-type': 'text/csv' }).end('idea,label\nfrom the web,w1\n')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const { port } = server.address() as AddressInfo
      const { batches } = open()
      const b = await batches.create({ source: { kind: 'url', url: `http://127.0.0.1:${port}/export?format=csv&token=s3cret` }, config: { pipeline: 'one' } }, { network: ANY_ADDRESS })
      expect(b.totalRows).toBe(1)
      expect(b.source).not.toContain('s3cret')
    } finally {
      server.close()
    }
  })

  it('a batch killed with SIGKILL mid-run resumes and ends with every row done exactly once', async () => {
    const dir = tempDir('studio-batch-crash-')
    const { engine: parent, batches: parentBatches } = open(dir)
    writeFileSync(join(dir, 'hold'), '')
    const rows = [...Array(10)].map((_, i) => `k${i + 2},k${i + 2}`)
    const b = await parentBatches.create({ source: { kind: 'file', path: csv(dir, 'k.csv', ['idea,label', ...rows]) }, config: { pipeline: 'three', mapping: { label: 'label' } } })
    parent.db.prepare("UPDATE batch_rows SET input = json_set(input, '$.holdWhile', json('{\"b\":\"hold\"}')) WHERE batch_id = ? AND row_number IN (4, 5)").run(b.id)
    parentBatches.startBatch(b.id)

    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/batch-crash-child.ts', dir], { stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise((resolve) => child.on('exit', (_c, signal) => resolve(signal)))
    const heldInB = () =>
      parent.queue.list({ batchId: b.id, status: 'processing' }).filter((j) => j.currentStep === 'b' && /#[45]$/.test(j.title)).length === 2
    await until(heldInB, 30_000, 'rows 4 and 5 held inside step b')
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')
    parentBatches.stop()
    await parent.close(100)

    rmSync(join(dir, 'hold'))
    const { engine: after, batches: afterBatches } = open(dir)
    afterBatches.start()
    after.pool.start()
    await until(() => afterBatches.view(b.id).status === 'completed', 20_000, 'resumed batch to complete')
    expect(afterBatches.view(b.id)).toMatchObject({ doneRows: 10, failedRows: 0 })
    const perRow = after.db
      .prepare<[string], { row_number: number; n: number }>('SELECT r.row_number, COUNT(j.id) AS n FROM batch_rows r JOIN jobs j ON j.batch_id = r.batch_id AND j.id = r.job_id WHERE r.batch_id = ? GROUP BY r.row_number')
      .all(b.id)
    expect(perRow).toHaveLength(10)
    expect(after.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM jobs WHERE batch_id = ?').get(b.id)!.n).toBe(10)
    const calls = callsOf(dir)
    for (let n = 2; n <= 11; n++) {
      expect(calls.filter((c) => c === `k${n}:a`)).toHaveLength(1)
      expect(calls.filter((c) => c === `k${n}:c`)).toHaveLength(1)
    }
  })
})

describe('batches on other pipelines', () => {
  it('maps the main column to the pipeline\u2019s own main input', async () => {
    const { engine, batches, dir } = open()
    const { PipelineRegistry } = await import('../../src/main/engine/pipelines/registry')
    const registry = engine.pipelines as InstanceType<typeof PipelineRegistry>
    const one = registry.get('one')!
    // Pipelines are looked up when a batch is created: registering one now is in time.
    registry.register({ ...one, name: 'prompted', mainField: 'prompt' })
    const b = await batches.create({ source: { kind: 'file', path: csv(dir, 'p.csv', ['Prompt,label', 'a lighthouse,x', ',y']) }, config: { pipeline: 'prompted' } })
    expect(b).toMatchObject({ totalRows: 2, invalidRows: 1 })
    expect(b.errors[0]!.reason).toBe('row 3: column "Prompt" is empty')
    batches.startBatch(b.id)
    expect(engine.queue.list({ batchId: b.id })[0]!.payload).toMatchObject({ prompt: 'a lighthouse' })
  })
})
