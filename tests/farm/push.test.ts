/**
 * `studio farm push` (the built CLI, a real child process) from a real local studio to a real
 * PostgreSQL farm, then a real `studio farm worker` running what moved. The text provider is a
 * local OpenAI-compatible server that counts its calls, on both machines: a step that finished here
 * and is run again on the farm would call it once more.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { builtStudio } from '../helpers/cli'
import { tempDir, until } from '../helpers/engine'
import { workerPreflight } from '../../src/main/engine/farm/commands'
import { SHARE_MARK_FILE } from '../../src/main/engine/farm/share-mark'
import { startWorker, useFarm, videoJob, waitFor, workerId } from '../helpers/farm-worker'
import { behaviours, startOpenAICompatibleServer, type OpenAICompatibleServer } from '../helpers/openai-compatible-server'

const farm = useFarm()
let server: OpenAICompatibleServer
const KEY_ENV = 'STUDIO_PUSH_TEST_KEY'

beforeAll(async () => {
  server = await startOpenAICompatibleServer({ reply: 'A lighthouse keeps its light for ships it never meets. Storms pass. The light stays.' })
  // The farm worker inherits this process's environment: its key for the provider, as the local studio's.
  process.env[KEY_ENV] = 'sk-test-push'
})
afterAll(async () => {
  delete process.env[KEY_ENV]
  await server?.close()
})

/** A studio (local, or a worker's own folder) whose text provider is the counting server. */
function studioOn(dir: string, reclaimEveryMs = 200): Studio {
  const s = openStudio({ dataDir: dir, concurrency: 1, env: { [KEY_ENV]: 'sk-test-push' }, timings: { leaseMs: 5_000, pollMs: 25, reclaimEveryMs, progressIntervalMs: 100 } })
  s.settings.replace({ ...s.settings.get(), providers: { text: { kind: 'openai', baseURL: server.baseURL, apiKeyEnv: KEY_ENV, model: 'gpt-4o-mini' } } })
  return s
}

const push = (localDir: string, ...args: string[]) =>
  builtStudio(['--json', 'farm', 'push', '--data-dir', localDir, '--farm-data-dir', farm.dataDir, ...args], { STUDIO_QUEUE_URL: farm.url })

const farmCount = async (table: string) => (await farm.user.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n

describe('studio farm push', () => {
  it('moves unfinished jobs with their finished steps, a batch and a storyboard; the farm never runs a finished step again', async () => {
    const localDir = tempDir('studio-push-local-')
    // ---- Here: a finished text job (C), and a video (A) stopped after its first step.
    let s = studioOn(localDir)
    const project = s.projects.create('Lighthouses')
    const asset = await s.projects.importAsset(project.id, 'keeper.wav', readFileSync(await silentWav()))
    const board = await s.storyboards.create({ projectId: project.id, from: { kind: 'blank' } })
    await s.storyboards.edit(board.id, { op: 'addScene', scene: { narration: 'The keeper climbs the stairs.' } })
    server.script('chat', [behaviours.ok(), behaviours.slow(2_000)])
    const c = s.queue.enqueue({ type: 'text', input: { prompt: 'One line about lighthouses' } })
    const a = s.queue.enqueue(videoJob(1))
    s.startWork()
    await until(() => s.queue.get(a.id)!.steps[0]!.status === 'running', 60_000, 'the video job to start its script')
    // Closing lets the running step finish; the job goes back to the queue at its next step.
    await s.close(60_000)
    s = studioOn(localDir)
    const stopped = s.queue.get(a.id)!
    expect(s.queue.get(c.id)!.status).toBe('completed')
    expect(stopped.status).toBe('pending')
    expect(stopped.steps.map((st) => st.status)).toEqual(['completed', 'pending', 'pending', 'pending', 'pending'])
    const script = stopped.steps[0]!
    expect(Object.keys(script.files).length).toBeGreaterThan(0)
    expect(server.calls('chat')).toBe(2)
    // ---- A pending video (B), queued after A, and a batch with rows not queued yet.
    const b = s.queue.enqueue(videoJob(2))
    // A paused job of its own priority: it moves paused, keeping its priority.
    const d = s.queue.enqueue({ type: 'text', input: { prompt: 'A paused line' }, priority: 5 })
    s.queue.pauseJob(d.id)
    const sheet = join(mkdtempSync(join(tmpdir(), 'studio-push-sheet-')), 'ideas.csv')
    writeFileSync(sheet, 'prompt\nFirst idea for a line\nSecond idea for a line\n')
    const batch = await s.batches.create({ source: { kind: 'file', path: sheet }, config: { pipeline: 'text' } })
    await until(() => s.batches.view(batch.id).totalRows === 2, 30_000, 'the batch to import')
    await s.close(1_000)
    // A's finished step names one of its files in its output too (as an images step names its images).
    const scriptFile = Object.values(script.files)[0]!
    const local = new Database(join(localDir, 'studio.db'))
    local.prepare("UPDATE steps SET output = json_set(COALESCE(output, '{}'), '$.pushedFile', ?) WHERE job_id = ? AND idx = 0").run(scriptFile, a.id)
    local.close()

    // ---- A dry run says what would move and changes nothing.
    const dry = await push(localDir, '--dry-run')
    expect(dry.err).toBe('')
    expect(dry.code).toBe(0)
    expect(JSON.parse(dry.out)).toMatchObject({ dryRun: true, jobs: 3, stepsKept: 1, batches: 1, batchRows: 2, storyboards: 1, projects: 1, assets: 1, removedHere: 0 })
    const dryText = await builtStudio(['farm', 'push', '--dry-run', '--data-dir', localDir, '--farm-data-dir', farm.dataDir], { STUDIO_QUEUE_URL: farm.url })
    expect(dryText.out).toBe(
      'would push to the farm: 3 jobs (1 finished step kept, not run again), 10 log lines, 1 batch (2 rows), 1 storyboard, 1 project, 1 asset\n' +
        'dry run: nothing was changed\n'
    )
    expect(await farmCount('jobs')).toBe(0)
    expect(await farmCount('batches')).toBe(0)
    expect(await farmCount('storyboards')).toBe(0)

    // ---- The push.
    const pushed = await push(localDir)
    expect(pushed.err).toBe('')
    expect(pushed.code).toBe(0)
    const report = JSON.parse(pushed.out)
    expect(report).toMatchObject({ dryRun: false, jobs: 3, stepsKept: 1, batches: 1, batchRows: 2, storyboards: 1, projects: 1, assets: 1, removedHere: 3 })
    expect(report.filesCopied).toBeGreaterThan(1)
    // In queue order: the more urgent first, then A before B (FIFO).
    expect(report.movedJobIds).toEqual([d.id, a.id, b.id])

    // On the farm: the finished step kept whole, its files in the shared folder, stored relative to it.
    const { rows: steps } = await farm.user.pool.query<{ name: string; status: string; attempts: number; files: string; work_dir: string | null; completed_at: string | null }>(
      'SELECT name, status, attempts, files, work_dir, completed_at FROM steps WHERE job_id = $1 ORDER BY idx',
      [a.id]
    )
    expect(steps.map((st) => st.status)).toEqual(['completed', 'pending', 'pending', 'pending', 'pending'])
    expect(steps[0]).toMatchObject({ attempts: 1, completed_at: String(script.completedAt) })
    for (const rel of Object.values(JSON.parse(steps[0]!.files) as Record<string, string>)) {
      expect(rel).toMatch(new RegExp(`^jobs/${a.id}/`))
      expect(existsSync(join(farm.dataDir, rel))).toBe(true)
    }
    expect(steps[0]!.work_dir).toMatch(new RegExp(`^jobs/${a.id}/`))
    // Outputs and results name no machine's mount of a folder: paths in them are in the stored form,
    // read by a window (or the worker taking the job) under its own mount.
    const rel = relative(localDir, scriptFile).split(sep).join('/')
    expect(rel).toMatch(new RegExp(`^jobs/${a.id}/`))
    const { rows: pushedOutput } = await farm.user.pool.query<{ output: string }>('SELECT output FROM steps WHERE job_id = $1 AND idx = 0', [a.id])
    expect(JSON.parse(pushedOutput[0]!.output).pushedFile).toBe(`studio-data:${rel}`)
    const readBack = ((await farm.user.store.get(a.id))!.steps[0]!.output as { pushedFile: string }).pushedFile
    expect(readBack).toBe(join(farm.dataDir, rel))
    expect(existsSync(readBack)).toBe(true)
    const { rows: stored } = await farm.user.pool.query<{ v: string }>('SELECT output AS v FROM steps WHERE output IS NOT NULL UNION ALL SELECT result FROM jobs WHERE result IS NOT NULL')
    for (const r of stored) {
      expect(r.v).not.toContain(localDir)
      expect(r.v).not.toContain(farm.dataDir)
    }
    // Its log came along, with a line saying where it came from; the queue order holds (A before B).
    const lines = await farm.user.store.logs(a.id)
    expect(lines.map((l) => l.code)).toEqual(expect.arrayContaining(['queued', 'started', 'finished', 'movedToFarm']))
    const order = await farm.user.store.list({ status: 'pending' })
    expect(order.map((j) => j.id)).toEqual([a.id, b.id])
    expect(await farm.user.store.get(d.id)).toMatchObject({ status: 'paused', priority: 5 })
    // The batch with its rows, the storyboard with its revisions, the project and its media.
    expect((await farm.user.pool.query('SELECT row_number, state FROM batch_rows WHERE batch_id = $1 ORDER BY row_number', [batch.id])).rows).toEqual([
      // Numbered as the sheet's lines (the header is line 1).
      { row_number: 2, state: 'ready' },
      { row_number: 3, state: 'ready' }
    ])
    expect(await farmCount('storyboard_revisions')).toBeGreaterThanOrEqual(2)
    const { rows: assets } = await farm.user.pool.query<{ path: string }>('SELECT path FROM assets WHERE id = $1', [asset.id])
    expect(assets[0]!.path).toMatch(new RegExp(`^projects/`))
    expect(existsSync(join(farm.dataDir, assets[0]!.path))).toBe(true)
    // Private here (this user's only), readable by the workers on the share (other users, maybe).
    expect(statSync(asset.path).mode & 0o777).toBe(0o600)
    expect(statSync(join(farm.dataDir, assets[0]!.path)).mode & 0o777).toBe(0o666 & ~process.umask())

    // Here: the moved jobs and batch are gone, the finished job and the storyboard stay.
    s = studioOn(localDir)
    expect(s.queue.get(a.id)).toBeNull()
    expect(s.queue.get(b.id)).toBeNull()
    expect(s.queue.get(c.id)!.status).toBe('completed')
    expect(s.batches.list()).toEqual([])
    expect(s.storyboards.view(board.id).id).toBe(board.id)
    expect(existsSync(join(localDir, 'jobs', a.id))).toBe(false)
    await s.close(1_000)

    // ---- A farm worker, with the same provider, runs what moved: A resumes at its second step.
    const workerLocal = tempDir('studio-push-worker-')
    await studioOn(workerLocal).close(0)
    const w = startWorker(farm.url, farm.dataDir, { concurrency: 2, localDir: workerLocal })
    farm.workers.push(w)
    const id = await workerId(w)
    await waitFor(
      async () => (await farm.user.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE status = 'completed'")).rows[0]!.n === 2,
      300_000,
      'both moved jobs to complete',
      w.output
    )
    // One call more: B's script. A's script, finished here, was not called again.
    expect(server.calls('chat')).toBe(3)
    const { rows: ran } = await farm.user.pool.query<{ name: string; worker_id: string | null }>('SELECT name, worker_id FROM steps WHERE job_id = $1 ORDER BY idx', [a.id])
    expect(ran.map((r) => r.worker_id)).toEqual([null, id, id, id, id])
    const started = (await farm.user.store.logs(a.id)).filter((l) => l.code === 'started' && l.step === 'script')
    expect(started).toHaveLength(1)
    // The worker's result for A names its video in the stored form; a window reads it under its mount.
    const { rows: result } = await farm.user.pool.query<{ result: string }>('SELECT result FROM jobs WHERE id = $1', [a.id])
    expect(result[0]!.result).not.toContain(farm.dataDir)
    expect(result[0]!.result).toContain('"studio-data:jobs/')
    const shown = JSON.stringify((await farm.user.store.get(a.id))!.result)
    expect(shown).not.toContain('studio-data:')
    expect(shown).toContain(JSON.stringify(join(farm.dataDir, 'jobs')).slice(1, -1))

    // ---- A second push has nothing left to move.
    const again = await push(localDir)
    expect(again.code).toBe(0)
    expect(JSON.parse(again.out)).toMatchObject({ jobs: 0, stepsKept: 0, batches: 0, storyboards: 0, projects: 0, assets: 0, removedHere: 0 })
    expect(JSON.parse(again.out).alreadyOnFarm.storyboards).toEqual([board.id])
    expect(await farmCount('jobs')).toBe(3)
    expect(await farmCount('batches')).toBe(1)
  }, 600_000)

  it('leaves a job an engine here is running; moves an interrupted one, queued again at its running step', async () => {
    const localDir = tempDir('studio-push-running-')
    // No sweep of this engine's own takes the interrupted job back while the push runs.
    const s = studioOn(localDir, 600_000)
    try {
      // The running job: its provider never answers while the push runs.
      server.script('chat', [behaviours.hang()])
      const running = s.queue.enqueue({ type: 'text', input: { prompt: 'A line that takes its time' } })
      s.startWork()
      await until(() => s.queue.get(running.id)!.status === 'processing', 60_000, 'the job to run here')
      // The interrupted job: processing under a lease that ran out (its engine was killed), its step running.
      const gone = s.queue.enqueue({ type: 'text', input: { prompt: 'An interrupted line' } })
      s.db.prepare("UPDATE jobs SET status = 'processing', lease_owner = 'elsewhere:1:gone', lease_token = 't', lease_expires_at = 1, current_step = 'generate' WHERE id = ?").run(gone.id)
      s.db.prepare("UPDATE steps SET status = 'running', attempts = 1 WHERE job_id = ?").run(gone.id)
      // A batch running here: its engine queues its rows as the queue drains, so it stays.
      const sheet = join(mkdtempSync(join(tmpdir(), 'studio-push-sheet-')), 'ideas.csv')
      writeFileSync(sheet, 'prompt\nA row that stays here\n')
      const batch = await s.batches.create({ source: { kind: 'file', path: sheet }, config: { pipeline: 'text' } })
      await until(() => s.batches.view(batch.id).totalRows === 1, 30_000, 'the batch to import')
      s.db.prepare("UPDATE batches SET status = 'running' WHERE id = ?").run(batch.id)
      const r = await push(localDir)
      expect(r.err).toBe('')
      const report = JSON.parse(r.out)
      expect(report).toMatchObject({ jobs: 1, removedHere: 1, movedJobIds: [gone.id] })
      expect(report.skipped).toEqual([
        { kind: 'batch', id: batch.id, title: batch.name, reason: expect.stringMatching(/^running here .*: pause it \(studio batch pause \w+\), then push again$/) },
        { kind: 'job', id: running.id, title: running.title, reason: expect.stringMatching(/^running here \(.+\): stop it or let it finish, then push again$/) }
      ])
      expect(s.batches.list().map((b) => b.id)).toEqual([batch.id])
      expect((await farm.user.pool.query('SELECT id FROM batches WHERE id = $1', [batch.id])).rows).toEqual([])
      expect(s.queue.get(running.id)!.status).toBe('processing')
      expect(s.queue.get(gone.id)).toBeNull()
      const moved = (await farm.user.store.get(gone.id))!
      expect(moved.status).toBe('pending')
      expect(moved.steps.map((st) => [st.status, st.attempts])).toEqual([['pending', 1]])
      const { rows } = await farm.user.pool.query<{ lease_owner: string | null; next_needs: string[] }>('SELECT lease_owner, next_needs FROM jobs WHERE id = $1', [gone.id])
      expect(rows[0]).toEqual({ lease_owner: null, next_needs: ['text'] })
    } finally {
      for (const j of s.queue.list({ status: 'processing' })) s.queue.cancel(j.id)
      await s.close(0)
    }
  }, 120_000)

  it('a farm transaction that fails gives the jobs back here as they were and removes the files it copied', async () => {
    const localDir = tempDir('studio-push-fails-')
    let s = studioOn(localDir)
    server.script('chat', [behaviours.slow(1_500)])
    const a = s.queue.enqueue(videoJob(3))
    s.startWork()
    await until(() => s.queue.get(a.id)!.steps[0]!.status === 'running', 60_000, 'the script to start')
    await s.close(60_000)
    s = studioOn(localDir)
    const before = s.queue.get(a.id)!
    expect(before.steps[0]!.status).toBe('completed')
    await s.close(0)
    // The farm refuses the steps mid-transaction (after the job's row went in).
    await farm.user.pool.query(`CREATE FUNCTION refuse_steps() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the farm refused the steps'; END $$;
                                CREATE TRIGGER refuse_steps BEFORE INSERT ON steps FOR EACH STATEMENT EXECUTE FUNCTION refuse_steps()`)
    try {
      const r = await push(localDir)
      expect(r.code).toBe(1)
      expect(r.err).toContain('the farm refused the steps')
    } finally {
      await farm.user.pool.query('DROP TRIGGER refuse_steps ON steps; DROP FUNCTION refuse_steps()')
    }
    expect(await farmCount('jobs')).toBe(0)
    expect(existsSync(join(farm.dataDir, 'jobs', a.id))).toBe(false)
    s = studioOn(localDir)
    const after = s.queue.get(a.id)!
    expect({ status: after.status, runAfter: after.runAfter, waitingReason: after.waitingReason, updatedAt: after.updatedAt }).toEqual({
      status: before.status,
      runAfter: before.runAfter,
      waitingReason: before.waitingReason,
      updatedAt: before.updatedAt
    })
    await s.close(0)
    // Pushed again, it moves.
    const again = await push(localDir)
    expect(JSON.parse(again.out)).toMatchObject({ jobs: 1, stepsKept: 1, removedHere: 1 })
    expect(existsSync(join(farm.dataDir, 'jobs', a.id))).toBe(true)
  }, 120_000)

  it('an engine running here while the push waits on the farm never starts the jobs being moved', async () => {
    const localDir = tempDir('studio-push-held-')
    const s = studioOn(localDir)
    const lock = new pg.Client({ connectionString: farm.url })
    await lock.connect()
    try {
      const moving = s.queue.enqueue({ type: 'text', input: { prompt: 'A line that moves to the farm' } })
      // The farm's jobs table locked: the push's insert waits, with the job held here.
      await lock.query('BEGIN')
      await lock.query('LOCK TABLE jobs IN EXCLUSIVE MODE')
      const pushing = push(localDir)
      await until(() => s.queue.get(moving.id)!.waitingReason === 'moving to the studio farm', 60_000, 'the push to hold the job')
      // An engine here works meanwhile: it runs a job queued now, and leaves the held one alone.
      s.startWork()
      const other = s.queue.enqueue({ type: 'text', input: { prompt: 'A line that stays here' } })
      await until(() => s.queue.get(other.id)!.status === 'completed', 60_000, 'the engine to run the other job')
      expect(s.queue.get(moving.id)!.status).toBe('pending')
      await lock.query('COMMIT')
      const r = await pushing
      expect(r.err).toBe('')
      expect(JSON.parse(r.out)).toMatchObject({ jobs: 1, removedHere: 1, movedJobIds: [moving.id] })
      expect(s.queue.get(moving.id)).toBeNull()
      const moved = (await farm.user.store.get(moving.id))!
      expect(moved.steps.map((st) => [st.status, st.attempts])).toEqual([['pending', 0]])
      // On the farm, it runs when its time comes: the hold stayed here.
      expect(moved.runAfter).toBe(0)
      expect(moved.waitingReason).toBeNull()
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined)
      await lock.end()
      await s.close(0)
    }
  }, 120_000)

  it('a push that stopped before removing the moved jobs here: the next one removes them, writing nothing twice', async () => {
    const localDir = tempDir('studio-push-resume-')
    let s = studioOn(localDir)
    const job = s.queue.enqueue({ type: 'text', input: { prompt: 'A line moved once' } })
    const sheet = join(mkdtempSync(join(tmpdir(), 'studio-push-sheet-')), 'ideas.csv')
    writeFileSync(sheet, 'prompt\nOne row moved once\n')
    const batch = await s.batches.create({ source: { kind: 'file', path: sheet }, config: { pipeline: 'text' } })
    await until(() => s.batches.view(batch.id).totalRows === 1, 30_000, 'the batch to import')
    await s.close(0)
    // The local database as it was before the push: as if the push had stopped after the farm's commit.
    const saved = mkdtempSync(join(tmpdir(), 'studio-push-saved-'))
    const files = readdirSync(localDir).filter((f) => f.startsWith('studio.db'))
    for (const f of files) copyFileSync(join(localDir, f), join(saved, f))
    expect(JSON.parse((await push(localDir)).out)).toMatchObject({ jobs: 1, batches: 1, removedHere: 1 })
    for (const f of readdirSync(localDir).filter((f) => f.startsWith('studio.db'))) rmSync(join(localDir, f))
    for (const f of files) copyFileSync(join(saved, f), join(localDir, f))

    const again = JSON.parse((await push(localDir)).out)
    expect(again).toMatchObject({ jobs: 0, stepsKept: 0, logLines: 0, batches: 0, removedHere: 1, alreadyOnFarm: { jobs: [job.id], batches: [batch.id] } })
    expect((await farm.user.pool.query('SELECT id FROM jobs WHERE id = $1', [job.id])).rows).toHaveLength(1)
    expect((await farm.user.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM job_logs WHERE job_id = $1', [job.id])).rows[0]!.n).toBe(2)
    s = studioOn(localDir)
    expect(s.queue.get(job.id)).toBeNull()
    expect(s.batches.list()).toEqual([])
    await s.close(0)
  }, 120_000)

  it('a local studio already in the shared folder: nothing is copied, paths are stored relative to it', async () => {
    const shared = tempDir('studio-push-same-')
    // The farm's share as this machine mounts it: the folder carries the farm's mark (a worker's on
    // the share; push refuses a folder without it, an empty mount point).
    expect((await workerPreflight(farm.url, farm.dataDir, { env: { PATH: process.env.PATH } })).ok).toBe(true)
    copyFileSync(join(farm.dataDir, SHARE_MARK_FILE), join(shared, SHARE_MARK_FILE))
    const s = studioOn(shared)
    const project = s.projects.create('On the share')
    const asset = await s.projects.importAsset(project.id, 'keeper.wav', readFileSync(await silentWav()))
    const job = s.queue.enqueue({ type: 'text', input: { prompt: 'A line already on the share', meta: { voice: asset.path } }, projectId: project.id })
    await s.close(0)
    const r = await builtStudio(['--json', 'farm', 'push', '--data-dir', shared, '--farm-data-dir', shared], { STUDIO_QUEUE_URL: farm.url })
    expect(r.err).toBe('')
    expect(JSON.parse(r.out)).toMatchObject({ jobs: 1, projects: 1, assets: 1, filesCopied: 0, removedHere: 1, movedJobIds: [job.id] })
    const { rows } = await farm.user.pool.query<{ path: string }>('SELECT path FROM assets WHERE id = $1', [asset.id])
    expect(join(shared, rows[0]!.path)).toBe(asset.path)
    expect(existsSync(asset.path)).toBe(true)
    // A path in the payload too: stored relative to the share, so each worker reads it under its mount.
    const payload = await farm.user.pool.query<{ payload: string }>('SELECT payload FROM jobs WHERE id = $1', [job.id])
    expect(JSON.parse(payload.rows[0]!.payload).meta).toEqual({ voice: `studio-data:${rows[0]!.path}` })
  }, 120_000)
})

/** A short silent WAV file (an audio asset for the project). */
async function silentWav(): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'studio-push-wav-')), 'silence.wav')
  const samples = 8000
  const buf = Buffer.alloc(44 + samples * 2)
  buf.write('RIFF', 0)
  buf.writeUInt32LE(36 + samples * 2, 4)
  buf.write('WAVE', 8)
  buf.write('fmt ', 12)
  buf.writeUInt32LE(16, 16)
  buf.writeUInt16LE(1, 20)
  buf.writeUInt16LE(1, 22)
  buf.writeUInt32LE(8000, 24)
  buf.writeUInt32LE(16000, 28)
  buf.writeUInt16LE(2, 32)
  buf.writeUInt16LE(16, 34)
  buf.write('data', 36)
  buf.writeUInt32LE(samples * 2, 40)
  writeFileSync(file, buf)
  return file
}
