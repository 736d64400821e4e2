/**
 * Crash torture: the whole studio runs in a child process on a mixed queue (narrated videos with
 * offline speech and a counted text provider, single-step jobs, a batch from a CSV, priorities),
 * while this process reorders and cancels jobs on the same SQLite file; the child is killed with
 * SIGKILL at seeded random moments and restarted each time. At the end every job is final, none
 * is lost or duplicated, no finished step ran again, the database is intact and every output
 * file is complete.
 *
 * 30 kills in the test command; `STUDIO_TORTURE=long` makes it 200. `STUDIO_TORTURE_SEED=<n>`
 * replays a run.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QueueError } from '../../src/main/engine/errors'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import type { JobView } from '../../src/shared/types'
import { bundleChild, childEntry } from '../helpers/bundle-child'
import { tempDir, until } from '../helpers/engine'
import { incompleteOutput } from '../helpers/media-check'
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '../helpers/openai-compatible-server'
import { killPids, pidsMentioning } from '../helpers/processes'
import { longTorture, seededRandom, tortureSeed, type Random } from '../helpers/seeded'

const KILLS = longTorture ? 200 : 30

/**
 * The job mix. Adding a job type is one line: `tag` is written into the text that reaches the
 * text provider (when the job has one), so that its calls are counted per job; `textStep` names
 * the step that calls it.
 */
interface JobKind {
  type: string
  input: (tag: string) => Record<string, unknown>
  textStep?: string
}
const MIX: readonly JobKind[] = [
  { type: 'video', input: (tag) => ({ idea: `${tag} why octopuses have three hearts`, images: 1, music: false }), textStep: 'script' },
  { type: 'video', input: (tag) => ({ idea: `${tag} how whales sleep`, images: 2, music: true, captions: 'none' }), textStep: 'script' },
  { type: 'text', input: (tag) => ({ prompt: `${tag} a haiku about rain` }), textStep: 'generate' },
  { type: 'image', input: (tag) => ({ prompt: `${tag} a lighthouse at dawn` }) },
  { type: 'music', input: () => ({ mood: 'calm', durationSec: 2 }) },
  { type: 'audio', input: (tag) => ({ text: `${tag} the tide comes in twice a day` }) },
  {
    type: 'storyboard',
    input: (tag) => ({
      storyboardId: tag,
      revision: 1,
      draft: true,
      settings: { format: '1:1', music: { kind: 'generated', mood: 'calm' }, transition: 'crossfade' },
      scenes: [
        { id: 'a1', narration: 'Bees dance to talk.', visual: { kind: 'generated', prompt: `${tag} a hive`, seed: 1 } },
        { id: 'b2', narration: '', visual: { kind: 'title', text: 'The end' }, duration: { mode: 'fixed', seconds: 1 } }
      ]
    })
  }
]
/** Direct jobs: the mix repeated. */
const ROUNDS = longTorture ? 4 : 2
/** Rows of the batch (text jobs, with a priority column). */
const BATCH_ROWS = longTorture ? 12 : 6

const TAG = /\btj(\d+)\b/

let server: OpenAICompatibleServer | undefined
let parent: Studio | undefined
let child: ChildProcess | undefined
let dataDir: string | undefined
let childScript = ''
beforeAll(async () => {
  childScript = await bundleChild(childEntry('torture-child.ts'))
})
afterAll(async () => {
  child?.kill('SIGKILL')
  await parent?.close(100)
  await server?.close()
  // Tools (ffmpeg) a killed child left behind and no later child took back (a cancelled job's).
  if (dataDir) killPids(pidsMentioning(dataDir))
})

/** Start the child engine; resolves once its pool runs. */
async function startChild(dir: string, stderr: string[]): Promise<{ proc: ChildProcess; exited: Promise<NodeJS.Signals | number | null> }> {
  const proc = spawn(process.execPath, [childScript, dir], { stdio: ['ignore', 'pipe', 'pipe'] })
  child = proc
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => proc.on('exit', (code, signal) => resolve(signal ?? code)))
  proc.stderr!.on('data', (d: Buffer) => {
    stderr.push(d.toString())
    if (stderr.length > 50) stderr.shift()
  })
  let out = ''
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('ready')) resolve()
    })
    void exited.then((how) => reject(new Error(`the engine process ended before it was ready (${String(how)}): ${stderr.join('').slice(-2000)}`)))
  })
  return { proc, exited }
}

const FINAL = new Set(['completed', 'failed', 'cancelled'])

/** What this process does to the queue while the child runs: reorder, reprioritise, cancel. */
function meddle(studio: Studio, random: Random, direct: string[], cancelled: Set<string>, cancelBudget: { left: number }): void {
  const jobs = studio.queue.list({}).filter((j) => !FINAL.has(j.status))
  if (jobs.length === 0) return
  const someone = (filter: (j: JobView) => boolean) => {
    const found = jobs.filter(filter)
    return found.length ? random.pick(found) : undefined
  }
  try {
    if (random.chance(0.6)) {
      const j = someone((j) => j.status === 'pending')
      if (j) studio.queue.move(j.id, random.pick(['up', 'down', 'top', 'bottom'] as const))
    }
    if (random.chance(0.4)) {
      const j = someone((j) => j.status === 'pending')
      if (j) studio.queue.setPriority(j.id, random.int(1, 10))
    }
    if (cancelBudget.left > 0 && random.chance(0.25)) {
      // A direct job, preferably one being processed: cancelled while running.
      const j = someone((j) => direct.includes(j.id) && j.status === 'processing') ?? someone((j) => direct.includes(j.id))
      if (j) {
        studio.queue.cancel(j.id)
        cancelled.add(j.id)
        cancelBudget.left--
      }
    }
  } catch (err) {
    // A job that moved on meanwhile (started, finished) cannot be reordered: the engine says so.
    if (!(err instanceof QueueError)) throw err
  }
}

describe('crash torture', () => {
  it(`${KILLS} SIGKILLs of the engine process on a mixed queue: nothing lost, duplicated or paid twice; database and outputs intact`, { timeout: longTorture ? 1_800_000 : 240_000 }, async () => {
    const seed = tortureSeed('crash torture')
    const random = seededRandom(seed)
    const dir = (dataDir = tempDir('studio-torture-'))
    server = await startOpenAICompatibleServer({ reply: 'Octopuses have three hearts. Two serve the gills, one the body.' })

    // This process only enqueues, reorders and cancels: its pool never starts.
    const studio = (parent = openStudio({ dataDir: dir, concurrency: 2, env: {} }))
    studio.settings.replace({
      ...studio.settings.get(),
      draft: true,
      providers: { text: { kind: 'openai', baseURL: server.baseURL, apiKeyEnv: 'STUDIO_TEST_KEY', model: 'gpt-4o-mini' } }
    } as Parameters<Studio['settings']['replace']>[0])

    const kindOfTag = new Map<string, JobKind>()
    const direct: string[] = []
    let n = 0
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of MIX) {
        const tag = `tj${++n}`
        kindOfTag.set(tag, kind)
        direct.push(studio.queue.enqueue({ type: kind.type, input: kind.input(tag), priority: random.int(1, 10), title: tag }).id)
      }
    }
    const csv = join(dir, 'rows.csv')
    const batchTags: string[] = []
    const lines = ['prompt,priority']
    for (let i = 0; i < BATCH_ROWS; i++) {
      const tag = `tj${++n}`
      batchTags.push(tag)
      kindOfTag.set(tag, { type: 'text', input: () => ({}), textStep: 'generate' })
      lines.push(`"${tag} a limerick, number ${i}",${random.int(1, 10)}`)
    }
    writeFileSync(csv, lines.join('\n') + '\n')
    const batch = await studio.batches.create({ source: { kind: 'file', path: csv }, config: { pipeline: 'text' } })
    expect(batch.invalidRows).toBe(0)
    studio.batches.startBatch(batch.id)

    const cancelled = new Set<string>()
    const cancelBudget = { left: longTorture ? 8 : 3 }
    /** (job id, step) → times that step was running when its process was killed: each may run once more. */
    const interrupted = new Map<string, number>()
    const interruptedRuns = new Set<string>()
    const stderr: string[] = []
    let kills = 0
    const started = Date.now()

    for (let k = 0; k < KILLS; k++) {
      const { proc, exited } = await startChild(dir, stderr)
      const life = random.int(50, 1_500)
      const meddleAt = random.int(0, life)
      await new Promise((r) => setTimeout(r, meddleAt))
      meddle(studio, random, direct, cancelled, cancelBudget)
      if (random.chance(0.5)) {
        await new Promise((r) => setTimeout(r, life - meddleAt))
      } else {
        // Half the kills land inside a step (a render, a provider call), at a random point of it.
        const deadline = Date.now() + 5_000
        while (Date.now() < deadline && studio.queue.list({ status: 'processing' }).length === 0) await new Promise((r) => setTimeout(r, 10))
        await new Promise((r) => setTimeout(r, random.int(0, 600)))
      }
      proc.kill('SIGKILL')
      expect(await exited).toBe('SIGKILL')
      kills++
      // The dead process's steps still marked running are the ones allowed to run again.
      // (A run is counted once, by its start: the next process may die before taking it back.)
      for (const j of studio.queue.list({ status: 'processing' })) {
        for (const s of studio.queue.get(j.id)!.steps.filter((s) => s.status === 'running')) {
          const run = `${j.id}:${s.name}:${s.startedAt}`
          if (interruptedRuns.has(run)) continue
          interruptedRuns.add(run)
          const key = `${j.id}:${s.name}`
          interrupted.set(key, (interrupted.get(key) ?? 0) + 1)
        }
      }
    }
    const killPhaseMs = Date.now() - started

    // A last engine runs everything to its end.
    const { proc, exited } = await startChild(dir, stderr)
    const all = () => studio.queue.list({})
    await until(
      () => all().length === direct.length + BATCH_ROWS && all().every((j) => FINAL.has(j.status)) && studio.batches.view(batch.id).status === 'completed',
      longTorture ? 600_000 : 120_000,
      'every job to be final'
    )
    proc.kill('SIGKILL')
    await exited
    console.log(`crash torture: ${kills} kills in ${killPhaseMs} ms, then ${Date.now() - started - killPhaseMs} ms to finish; ${interrupted.size} step runs interrupted`)

    // Every job final, none lost, none duplicated.
    const jobs = all()
    expect(new Set(jobs.map((j) => j.id)).size).toBe(jobs.length)
    expect(jobs.filter((j) => !j.batchId).map((j) => j.id).sort()).toEqual([...direct].sort())
    const rowJobs = jobs.filter((j) => j.batchId === batch.id)
    expect(rowJobs).toHaveLength(BATCH_ROWS)
    const failed = jobs.filter((j) => j.status === 'failed').map((j) => `${j.title}: ${j.error}`)
    expect(failed).toEqual([])
    for (const j of jobs) expect(j.status).toBe(cancelled.has(j.id) ? 'cancelled' : 'completed')
    const view = studio.batches.view(batch.id)
    expect(view).toMatchObject({ status: 'completed', doneRows: BATCH_ROWS })

    // No finished step ran again. The text provider counts its calls per job (the tag in each
    // request); a call is allowed once, plus once per kill that interrupted that step.
    const tagOfJob = new Map(jobs.map((j) => [j.id, JSON.stringify(j.payload).match(TAG)?.[0]]))
    const callsByTag = new Map<string, number>()
    for (const r of server.requests('chat')) {
      const tag = JSON.stringify(r.body?.messages ?? '').match(TAG)?.[0]
      expect(tag, 'every text call comes from a job of the mix').toBeTruthy()
      callsByTag.set(tag!, (callsByTag.get(tag!) ?? 0) + 1)
    }
    const overpaid: string[] = []
    for (const j of jobs) {
      const tag = tagOfJob.get(j.id)
      const kind = tag ? kindOfTag.get(tag) : undefined
      if (!kind?.textStep) continue
      const calls = callsByTag.get(tag!) ?? 0
      const allowed = 1 + (interrupted.get(`${j.id}:${kind.textStep}`) ?? 0)
      if (calls > allowed) overpaid.push(`${j.title} (${tag}): ${calls} text calls, ${allowed} allowed`)
      if (j.status === 'completed' && calls === 0) overpaid.push(`${j.title} (${tag}): completed without its text call`)
    }
    expect(overpaid).toEqual([])
    // Every step of every job: finished at most once (the checkpoint and its log line commit together).
    const twice: string[] = []
    for (const j of jobs) {
      const finished = studio.queue.logs(j.id).filter((l) => /^finished \S+ in /.test(l.message)).map((l) => l.message.split(' ')[1])
      for (const step of new Set(finished)) if (finished.filter((s) => s === step).length > 1) twice.push(`${j.title}: ${step}`)
    }
    expect(twice).toEqual([])

    // The database is intact, and so is every output file.
    expect(studio.db.pragma('integrity_check', { simple: true })).toBe('ok')
    const incomplete: string[] = []
    let checked = 0
    for (const j of jobs.filter((j) => j.status === 'completed')) {
      for (const step of studio.queue.get(j.id)!.steps) {
        for (const file of Object.values(step.files)) {
          checked++
          const why = await incompleteOutput(file)
          if (why) incomplete.push(`${j.title} ${step.name}: ${why}`)
        }
      }
    }
    expect(incomplete).toEqual([])
    expect(checked).toBeGreaterThan(jobs.length)
  })
})
