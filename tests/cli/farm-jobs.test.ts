/**
 * The job and queue commands on a studio farm's queue, run as a person runs them: the built CLI
 * (bin/studio.mjs), each command its own process, with --queue-url (or STUDIO_QUEUE_URL) naming a
 * real PostgreSQL (tests/helpers/postgres.ts). What a worker of the farm sees is read with the
 * farm's own lease store (store/postgres/leases.ts), as a worker on another machine takes jobs;
 * and one script of commands runs on the local SQLite queue and on the farm, output for output.
 */
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { LeaseLostError } from '../../src/main/engine/errors'
import { shortJobId } from '../../src/shared/job-id'
import { builtStudio, type StudioRun as Run } from '../helpers/cli'
import { tempDir } from '../helpers/engine'
import { usePostgres, withDatabase } from '../helpers/postgres'
import { claimAs, claimOne, commit, held, leaseStore, success, workDirOf } from '../helpers/farm-jobs'

const db = usePostgres()
/** Every capability: the test's worker may take any job. */
const HAS = ['ffmpeg', 'libass', 'text', 'image', 'speech', 'moderation', 'music', 'stock', 'gpu']
const PASSWORD = 'Kp4-farm-jobs-secret'

const studio = (args: string[], env: Record<string, string> = {}) => builtStudio(args, env, 'studio-farm-jobs-')

let pool: pg.Pool
let dataDir: string
/** `studio … --queue-url <farm>` on the shared data folder. */
const farm = (...args: string[]) => studio([...args, '--queue-url', db.url], { STUDIO_DATA_DIR: dataDir })
const json = <T>(r: Run): T => {
  expect(r, `${r.err}`).toMatchObject({ code: 0 })
  return JSON.parse(r.out) as T
}
const claim = async (workerId = 'test-worker') => (await claimAs(pool, workerId, HAS))?.lease ?? null

beforeAll(async () => {
  await farmInit(db.url)
  pool = new pg.Pool({ connectionString: db.url, max: 2 })
  pool.on('error', () => undefined)
})
afterAll(async () => {
  await pool?.end()
})
beforeEach(async () => {
  await pool.query('DELETE FROM jobs')
  await pool.query('DELETE FROM settings')
  dataDir = tempDir('studio-farm-shared-')
})

async function addText(title: string, ...more: string[]): Promise<{ id: string; priority: number }> {
  return json(await farm('add', 'text', '--input', JSON.stringify({ prompt: `about ${title}` }), '--title', title, '--json', ...more))
}

describe('the job commands on a farm', () => {
  it('add and list: the jobs are on the farm (none in the local queue), list in queue order as text and --json', async () => {
    const a = await addText('Alpha')
    const b = await addText('Bravo', '--priority', '2')
    const video = json<{ id: string; type: string; payload: Record<string, unknown> }>(
      await studio(['add', 'video', '--input', '{"idea":"why octopuses have three hearts"}', '--json'], { STUDIO_QUEUE_URL: db.url, STUDIO_DATA_DIR: dataDir })
    )
    // The built-in pipeline checked and completed the input, as it does locally.
    expect(video).toMatchObject({ type: 'video', payload: { idea: 'why octopuses have three hearts', language: 'en' } })
    const { rows } = await pool.query<{ id: string; status: string }>('SELECT id, status FROM jobs ORDER BY priority, position')
    expect(rows).toEqual([
      { id: b.id, status: 'pending' },
      { id: a.id, status: 'pending' },
      { id: video.id, status: 'pending' }
    ])
    const listed = json<Array<{ id: string; title: string; status: string }>>(await farm('list', '--json'))
    expect(listed.map((j) => j.id)).toEqual([b.id, a.id, video.id])
    const text = await farm('list')
    expect(text.code).toBe(0)
    const lines = text.out.trim().split('\n')
    expect(lines[0]).toMatch(/^ID +STATUS +P +TYPE +PROGRESS +ETA +TITLE$/)
    expect(lines.slice(1).map((l) => l.slice(0, 8))).toEqual([b.id, a.id, video.id].map(shortJobId))
    expect(lines[1]).toMatch(/pending +2 +text .*Bravo$/)
    // Filters are the farm's too.
    expect(json<unknown[]>(await farm('list', '--type', 'video', '--json'))).toHaveLength(1)
    expect(json<unknown[]>(await farm('list', '--text', 'Alph', '--json'))).toHaveLength(1)
    expect(json<unknown[]>(await farm('list', '--status', 'completed', '--json'))).toEqual([])
    // Nothing went to the data folder's own queue.
    expect(json<unknown[]>(await studio(['list', '--json'], { STUDIO_DATA_DIR: dataDir }))).toEqual([])
  }, 120_000)

  it("move and priority change the order in which the farm's workers claim", async () => {
    const a = await addText('A')
    const b = await addText('B')
    const c = await addText('C')
    const d = await addText('D')
    expect((await farm('move', shortJobId(c.id), 'top')).code).toBe(0)
    expect((await farm('move', d.id, 'up')).code).toBe(0)
    const raised = json<{ id: string; priority: number }>(await farm('priority', b.id, '1', '--json'))
    expect(raised).toMatchObject({ id: b.id, priority: 1 })
    const order: string[] = []
    for (let lease; (lease = await claim()); ) order.push(lease.jobId)
    // C to the top (C A B D), D up (C A D B), B first by priority (B C A D).
    expect(order).toEqual([b.id, c.id, a.id, d.id])
    // A job being processed cannot be reordered: the same refusal as locally.
    const refused = await farm('move', a.id, 'top', '--json')
    expect(refused.code).toBe(1)
    expect(JSON.parse(refused.err).error.code).toBe('processing')
  }, 120_000)

  it("cancel: a pending job is never claimed; a running one's lease is revoked, its holder's next fenced write refused", async () => {
    const running = await addText('Running')
    const pending = await addText('Pending')
    const worker = leaseStore(pool, 'test-worker', dataDir, { now: 0 }, { has: HAS, now: Date.now })
    const claimed = (await claimOne(worker, 60_000))!
    expect(claimed.lease.jobId).toBe(running.id)

    const cancelled = json<{ id: string; status: string }>(await farm('cancel', shortJobId(running.id), '--json'))
    expect(cancelled).toMatchObject({ id: running.id, status: 'cancelled' })
    // The worker that held it finds out at its next write: renew and complete are refused.
    expect(await worker.renew(claimed.lease, 60_000)).toBe(false)
    const step = claimed.steps[0]!
    const done = worker.completeStep(claimed.lease, held(step), success(dataDir, running.id, step.name), { resource: null, jobProgress: 100, jobResult: { ok: true } })
    await expect(commit(worker, done)).rejects.toBeInstanceOf(LeaseLostError)
    const { rows } = await pool.query('SELECT status, lease_owner FROM jobs WHERE id = $1', [running.id])
    expect(rows).toEqual([{ status: 'cancelled', lease_owner: null }])

    const text = await farm('cancel', pending.id)
    expect(text).toMatchObject({ code: 0, out: `${pending.id} cancelled\n` })
    expect(await claim()).toBeNull()
    // Cancelled twice: refused with the local code.
    const again = await farm('cancel', pending.id, '--json')
    expect(again.code).toBe(1)
    expect(JSON.parse(again.err).error).toEqual({ code: 'finished', message: 'job is already cancelled; nothing to cancel' })
  }, 120_000)

  it("a farm worker's job cancelled mid-step from the CLI: its step's checkpoint and every later write are refused", async () => {
    const job = await addText('Mid-step')
    const clock = { now: Date.now() }
    const worker = leaseStore(pool, 'worker-on-another-machine', dataDir, clock)
    const claimed = (await claimOne(worker, 60_000))!
    expect(claimed.lease.jobId).toBe(job.id)
    const [step] = claimed.steps
    expect(await worker.startStep(claimed.lease, held(step!), workDirOf(dataDir, job.id, step!.name), 3)).toBe(1)

    const shown = json<{ status: string; currentStep: string }>(await farm('show', job.id, '--json'))
    expect(shown).toMatchObject({ status: 'processing', currentStep: step!.name })
    expect(await farm('cancel', job.id)).toMatchObject({ code: 0, out: `${job.id} cancelled\n` })

    const done = worker.completeStep(claimed.lease, held(step!), success(dataDir, job.id, step!.name), { resource: null, jobProgress: 100, jobResult: { ok: true } })
    await expect(commit(worker, done)).rejects.toBeInstanceOf(LeaseLostError)
    expect(await worker.renew(claimed.lease, 60_000)).toBe(false)
    const after = json<{ status: string; steps: Array<{ status: string }>; log: Array<{ code: string }> }>(await farm('show', job.id, '--json'))
    expect(after.status).toBe('cancelled')
    expect(after.steps.map((s) => s.status)).toEqual(['cancelled'])
    expect(after.log.map((l) => l.code)).toContain('cancelledWhileRunning')
  }, 120_000)

  it('retry puts a cancelled job back where a worker claims it; show and logs read the farm', async () => {
    const job = await addText('Again')
    expect((await farm('cancel', job.id)).code).toBe(0)
    const retried = await farm('retry', job.id)
    expect(retried).toMatchObject({ code: 0, out: `${shortJobId(job.id)} queued again\n` })
    expect((await claim())?.jobId).toBe(job.id)
    const shown = json<{ id: string; status: string; steps: unknown[]; log: Array<{ code: string }> }>(await farm('show', job.id, '--json'))
    expect(shown).toMatchObject({ id: job.id, status: 'processing' })
    expect(shown.log.map((l) => l.code)).toEqual(['queued', 'cancelled', 'retryResumes'])
    const logs = await farm('logs', shortJobId(job.id))
    expect(logs.code).toBe(0)
    expect(logs.out.trim().split('\n')).toHaveLength(3)
    // A job that is running is not retried.
    const refused = await farm('retry', job.id, '--json')
    expect(refused.code).toBe(1)
    expect(JSON.parse(refused.err).error.code).toBe('not_finished')
  }, 120_000)

  it('pause and resume, of a job and of the whole queue, for every machine of the farm', async () => {
    const job = await addText('Held')
    expect(await farm('pause', job.id)).toMatchObject({ code: 0, out: `${shortJobId(job.id)} paused\n` })
    expect(await claim()).toBeNull()
    expect(await farm('resume', job.id)).toMatchObject({ code: 0, out: `${shortJobId(job.id)} pending\n` })

    expect(await farm('pause')).toMatchObject({ code: 0, out: 'queue paused\n' })
    // What every worker reads before it claims (and the window shows).
    const paused = async () => (await pool.query("SELECT value FROM settings WHERE key = 'queue.paused'")).rows[0]?.value
    expect(await paused()).toBe('true')
    expect(json<{ paused: boolean }>(await farm('stats', '--json')).paused).toBe(true)
    expect(await farm('resume', '--json')).toMatchObject({ code: 0 })
    expect(await paused()).toBe('false')
    expect((await farm('stats')).out).toMatch(/^jobs: 1\n/)
  }, 120_000)

  it('the many-jobs forms, rm and cleanup', async () => {
    const jobs = [await addText('One'), await addText('Two'), await addText('Three')]
    const bulk = await farm('cancel', '--status', 'pending')
    expect(bulk.code).toBe(0)
    expect(bulk.out.trim().split('\n').at(-1)).toBe('3 cancelled, 0 skipped')
    const retried = json<{ done: number; skipped: number }>(await farm('retry', jobs[0]!.id, jobs[1]!.id, '--json'))
    expect(retried).toMatchObject({ done: 2, skipped: 0 })
    // Partly skipped: exit 1, the reason on stderr, as locally.
    const priority = await farm('priority', jobs[0]!.id, 'nosuchjob', '3')
    expect(priority.code).toBe(1)
    expect(priority.err).toContain('1 of 2 job(s) skipped')
    expect((await farm('rm', jobs[1]!.id)).out).toBe(`removed ${jobs[1]!.id} "Two"\n`)
    await pool.query('UPDATE jobs SET completed_at = completed_at - 3 * 86400000 WHERE id = $1', [jobs[2]!.id])
    expect(json<{ removed: number }>(await farm('cleanup', '--older-than', '2', '--json'))).toEqual({ removed: 1 })
    expect((await pool.query('SELECT id FROM jobs')).rows).toEqual([{ id: jobs[0]!.id }])
  }, 120_000)
})

describe('refusals on a farm', () => {
  it('bad ids and refused changes: the same codes and words as on the local queue', async () => {
    // One job in each queue, at the same place.
    const local = { STUDIO_DATA_DIR: tempDir('studio-farm-local-') }
    const onFarm = { STUDIO_DATA_DIR: dataDir, STUDIO_QUEUE_URL: db.url }
    for (const env of [local, onFarm]) {
      expect((await studio(['add', 'text', '--input', '{"prompt":"the only job"}'], env)).code).toBe(0)
    }
    const cases: string[][] = [
      ['show', 'nosuchjob'],
      ['cancel', 'abc'],
      ['move', 'nosuchjob', 'top'],
      ['retry', 'nosuchjob'],
      ['logs', 'nosuchjob'],
      ['priority', 'nosuchjob', '11'],
      ['add', 'nosuchtype', '--input', '{}'],
      ['add', 'text', '--input', '{"prompt":"x"}'],
      ['add', 'text', '--input', '{"prompt":"fine"}', '--priority', '0'],
      ['list', '--status', 'lost'],
      ['cleanup', '--older-than', '-1'],
      ['resume']
    ]
    for (const args of cases) {
      const [mine, theirs] = [await studio([...args, '--json'], local), await studio([...args, '--json'], onFarm)]
      expect({ code: theirs.code, err: theirs.err, out: theirs.out }, args.join(' ')).toEqual({ code: mine.code, err: mine.err, out: mine.out })
    }
  }, 180_000)

  it('commands that cannot run on a farm yet still refuse the queue URL (exit 2, stable code)', async () => {
    for (const args of [['eta'], ['run', '--until-idle'], ['project', 'list'], ['health']]) {
      const r = await farm(...args, '--json')
      expect(r.code, args.join(' ')).toBe(2)
      expect(JSON.parse(r.err).error.code, args.join(' ')).toBe('queue-url-unsupported')
    }
  }, 120_000)

  it('an unreachable or uninitialised farm is named, its password masked', async () => {
    const url = new URL(db.url)
    url.password = PASSWORD
    url.port = '1' // nothing listens on port 1
    const down = await studio(['list', '--json', '--queue-url', url.toString()])
    expect(down.code).toBe(1)
    expect(JSON.parse(down.err).error).toMatchObject({ code: 'farm-unreachable', message: expect.stringContaining('cannot connect to postgres://studio:***@127.0.0.1:1/') })
    const bare = new URL(withDatabase(db.url, 'postgres'))
    bare.password = PASSWORD
    const empty = await studio(['add', 'text', '--input', '{"prompt":"nowhere"}', '--queue-url', bare.toString()])
    expect(empty.code).toBe(1)
    expect(empty.err).toMatch(/^studio: no farm schema at postgres:\/\/studio:\*\*\*@.*\/postgres: run `studio farm init` first\n$/)
    for (const r of [down, empty]) expect(r.out + r.err).not.toContain(PASSWORD)
  }, 120_000)
})

/**
 * The words a run prints, without what differs between two queues by nature: ids (named J1, J2 …
 * in the order they were queued), times, log line numbers, and the ETA column (laid out on the
 * local machine's workers; a farm's workers are elsewhere).
 */
function normalise(text: string, ids: string[]): string {
  let out = text
  ids.forEach((id, n) => {
    out = out.replaceAll(id, `J${n + 1}`).replaceAll(shortJobId(id), `j${n + 1}`.padEnd(8))
  })
  return out
    .replace(/"(createdAt|updatedAt|startedAt|completedAt|ts|id)": ?\d+/g, '"$1": 0')
    // What was spent against the budgets is the local studio's (its settings); the farm's stats leave it out.
    .replace(/,\n  "spend": \[\]/, '')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'TIME')
    .replace(/\d\d:\d\d:\d\d\.\d{3}/g, 'CLOCK')
    .split('\n')
    .map((line) => (/^(j\d +|ID) {2}/.test(line) && line.length > 54 ? line.slice(0, 47) + ' '.repeat(7) + line.slice(54) : line))
    .join('\n')
}

describe('one script, two queues', () => {
  it('prints the same on the local SQLite queue and on the farm, command for command', async () => {
    // A database of its own: positions and log numbers start where a new studio's do.
    const name = `studio_script_${Math.random().toString(16).slice(2, 10)}`
    await pool.query(`CREATE DATABASE ${name}`)
    const farmUrl = withDatabase(db.url, name)
    try {
      await farmInit(farmUrl)
      const script: string[][] = [
        ['add', 'text', '--input', '{"prompt":"first prompt"}', '--title', 'First', '--json'],
        ['add', 'text', '--input', '{"prompt":"second prompt"}', '--title', 'Second', '--priority', '3', '--json'],
        ['add', 'image', '--input', '{"prompt":"a lighthouse at dawn"}', '--title', 'Third', '--json'],
        ['add', 'video', '--input', '{"idea":"why octopuses have three hearts"}', '--json'],
        ['list'],
        ['list', '--json'],
        ['move', '@3', 'top'],
        ['move', '@2', 'top'],
        ['move', '@1', 'down', '--json'],
        ['priority', '@4', '1', '--json'],
        ['pause', '@2'],
        ['list', '--status', 'paused'],
        ['resume', '@2', '--json'],
        ['cancel', '@1'],
        ['cancel', '@1', '--json'],
        ['retry', '@1'],
        ['retry', '@2', '--json'],
        ['retry', '@1', '--from', 'nosuchstep'],
        ['show', '@1'],
        ['show', '@1', '--json'],
        ['logs', '@1'],
        ['logs', '@1', '--json'],
        ['pause'],
        ['stats'],
        ['resume', '--json'],
        ['stats', '--json'],
        ['cancel', '--status', 'pending'],
        ['retry', '@1', '@2', '--json'],
        ['priority', '--status', 'pending', '4'],
        ['rm', '@4'],
        ['cleanup', '--older-than', '1'],
        ['list'],
        ['list', '--json']
      ]
      const run = async (env: Record<string, string>) => {
        const ids: string[] = []
        const outputs: Run[] = []
        for (const step of script) {
          const args = step.map((a) => (/^@\d$/.test(a) ? ids[Number(a.slice(1)) - 1]! : a))
          const r = await studio(args, env)
          if (args[0] === 'add') ids.push((JSON.parse(r.out) as { id: string }).id)
          outputs.push(r)
        }
        return outputs.map((r, n) => ({ step: script[n]!.join(' '), code: r.code, out: normalise(r.out, ids), err: normalise(r.err, ids) }))
      }
      const local = await run({ STUDIO_DATA_DIR: tempDir('studio-script-local-') })
      const remote = await run({ STUDIO_DATA_DIR: tempDir('studio-script-farm-'), STUDIO_QUEUE_URL: farmUrl })
      expect(remote).toEqual(local)
      // The script did reach every state it names (a run of refusals would compare equal too).
      expect(local.filter((r) => r.code === 0).length).toBeGreaterThan(25)
    } finally {
      await pool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    }
  }, 300_000)
})
