/**
 * Disk and process faults, for real: the output folder on a read-only file system, a full disk
 * (a 2 MB tmpfs), ffmpeg killed in the middle of a render, and the database locked by another
 * process for several seconds. Each gives a clear error or a clean retry, and nothing is lost.
 *
 * The mounts need root (chmod is ignored by root, so only a real read-only or full file system
 * fails as a disk does); without it those two tests are skipped and say so.
 */
import { spawn } from 'node:child_process'
import { readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { databaseFile } from '../../src/main/engine/engine'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { tempDir, until } from '../helpers/engine'
import { incompleteOutput } from '../helpers/media-check'
import { canMount, mountTmpfs, remount, unmount } from '../helpers/mounts'
import { killPids, pidsMentioning, processName } from '../helpers/processes'

const mounted: string[] = []
let studio: Studio | undefined
afterEach(async () => {
  await studio?.close(100)
  studio = undefined
  for (const dir of mounted.splice(0)) unmount(dir)
})

const mountable = canMount()
if (!mountable) console.warn('disk faults: cannot mount a tmpfs here (not root?): the read-only and full-disk tests are skipped')

function open(dataDir: string, concurrency = 2): Studio {
  studio = openStudio({
    dataDir,
    concurrency,
    env: {},
    timings: { leaseMs: 5_000, pollMs: 25, reclaimEveryMs: 200, progressIntervalMs: 100 },
    backoff: { baseMs: 20, maxMs: 200 },
    breaker: { failureThreshold: 3, cooldownMs: 150, maxCooldownMs: 600 }
  })
  studio.settings.replace({ ...studio.settings.get(), draft: true })
  return studio
}

const final = (s: Studio, id: string) => ['completed', 'failed', 'cancelled'].includes(s.queue.get(id)!.status)
const ended = (s: Studio, ids: string[]) => ids.every((id) => final(s, id))

async function expectComplete(s: Studio, ids: string[]) {
  for (const id of ids) {
    const job = s.queue.get(id)!
    expect(`${job.type}: ${job.status} ${job.error ?? ''}`.trim()).toBe(`${job.type}: completed`)
    for (const step of job.steps) for (const file of Object.values(step.files)) expect(await incompleteOutput(file)).toBeNull()
  }
}

describe('disk faults', () => {
  it.skipIf(!mountable)('the output folder on a read-only file system: the job fails saying so, the database is untouched; once writable, a retry completes it', async () => {
    const dir = tempDir('studio-readonly-')
    const jobs = join(dir, 'jobs')
    mountTmpfs(jobs, { sizeKb: 16_384, readOnly: true })
    mounted.push(jobs)
    const s = open(dir, 1)
    const ids = [s.queue.enqueue({ type: 'image', input: { prompt: 'a lighthouse at dawn' } }).id, s.queue.enqueue({ type: 'music', input: { mood: 'calm', durationSec: 2 } }).id]
    s.startWork()
    await until(() => ended(s, ids), 30_000, 'both jobs to end')
    for (const id of ids) {
      const job = s.queue.get(id)!
      expect(job.status).toBe('failed')
      // It said ENOENT ("no such file or directory, mkdir …"), which points at a missing folder.
      expect(job.error).toMatch(/read-only file system \(EROFS\)/)
      expect(job.error).toContain(jobs)
    }
    expect(s.db.pragma('integrity_check', { simple: true })).toBe('ok')

    remount(jobs, false)
    for (const id of ids) s.queue.retry(id)
    await until(() => ended(s, ids), 30_000, 'the retried jobs to end')
    await expectComplete(s, ids)
  })

  it.skipIf(!mountable)('a full disk: no job completes with a cut file, the reason is named, nothing is left half-written; once space is freed, every job completes', async () => {
    const dir = tempDir('studio-full-')
    const jobs = join(dir, 'jobs')
    mountTmpfs(jobs, { sizeKb: 2_048 })
    mounted.push(jobs)
    // Almost full: 64 KB left.
    writeFileSync(join(jobs, 'filler'), Buffer.alloc((2_048 - 64) * 1024))
    const s = open(dir, 1)
    const ids = [
      // 4 s of WAV (~770 KB) fits the empty tmpfs, not its last 64 KB.
      s.queue.enqueue({ type: 'music', input: { mood: 'calm', durationSec: 4 } }).id,
      s.queue.enqueue({ type: 'image', input: { prompt: 'a red fox in snow' } }).id,
      s.queue.enqueue({ type: 'video', input: { idea: 'why octopuses have three hearts', images: 1, music: false } }).id
    ]
    s.startWork()
    // Each job either failed or waits for space; none completed.
    await until(
      () => ids.every((id) => final(s, id) || s.queue.get(id)!.retryCount > 0 || s.queue.get(id)!.waitingReason),
      60_000,
      'every job to meet the full disk'
    )
    for (const id of ids) expect(s.queue.get(id)!.status).not.toBe('completed')
    const reasons = ids.flatMap((id) => s.queue.logs(id).map((l) => l.message)).join('\n')
    expect(reasons).toMatch(/no space left on device|ENOSPC/i)
    expect(s.db.pragma('integrity_check', { simple: true })).toBe('ok')

    rmSync(join(jobs, 'filler'))
    // Jobs that gave up are retried by hand; the others resume on their own.
    await until(
      () => {
        for (const id of ids) if (s.queue.get(id)!.status === 'failed') s.queue.retry(id)
        return ids.every((id) => s.queue.get(id)!.status === 'completed')
      },
      90_000,
      'every job to complete once space is back'
    )
    await expectComplete(s, ids)
    // No temporary or partial file left beside the outputs.
    const leftovers: string[] = []
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name))
        else if (/\.(tmp|partial)(\.|$)|\.partial\./.test(e.name)) leftovers.push(join(d, e.name))
      }
    }
    walk(jobs)
    expect(leftovers).toEqual([])
  })
})

describe('process faults', () => {
  it('ffmpeg killed in the middle of a render: the step is retried cleanly, the steps before it are not run again, the video is complete', async () => {
    const dir = tempDir('studio-ffmpeg-kill-')
    const s = open(dir, 1)
    const id = s.queue.enqueue({ type: 'video', input: { idea: 'how whales sleep', images: 2, music: true } }).id
    s.startWork()
    const jobDir = join(dir, 'jobs', id)
    const pids = await until(
      () => {
        const found = pidsMentioning(jobDir).filter((pid) => processName(pid) === 'ffmpeg')
        return s.queue.get(id)!.currentStep === 'video' && found.length ? found : null
      },
      60_000,
      'the render to run'
    )
    killPids(pids)
    await until(() => final(s, id), 60_000, 'the job to end')
    await expectComplete(s, [id])
    const job = s.queue.get(id)!
    expect(job.retryCount).toBe(1)
    expect(job.steps.map((st) => `${st.name}:${st.attempts}`)).toEqual(['script:1', 'adapt:1', 'audio:1', 'visuals:1', 'video:2'])
    const log = s.queue.logs(id).map((l) => l.message)
    expect(log.filter((m) => m.startsWith('video failed, will retry'))).toHaveLength(1)
    for (const step of ['script', 'adapt', 'audio', 'visuals']) expect(log.filter((m) => m.startsWith(`finished ${step} `))).toHaveLength(1)
  })

  it('the database locked by another process for several seconds: work waits, then goes on; nothing is lost or run twice', async () => {
    const dir = tempDir('studio-db-lock-')
    const s = open(dir, 2)
    const ids = ['a haiku', 'a limerick', 'a riddle', 'a sonnet', 'a toast', 'a motto'].map((prompt) => s.queue.enqueue({ type: 'text', input: { prompt } }).id)
    ids.push(s.queue.enqueue({ type: 'video', input: { idea: 'why octopuses have three hearts', images: 1, music: false } }).id)
    s.startWork()
    await until(() => ids.some((id) => s.queue.get(id)!.status === 'completed'), 30_000, 'a first job to complete')

    // Another process takes the write lock and keeps it 4 s (a backup tool, a CLI cleanup).
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(process.argv[1]); db.exec('BEGIN IMMEDIATE'); console.log('locked');
         setTimeout(() => { db.exec('COMMIT'); db.close(); console.log('released') }, 4000)`,
        databaseFile(dir)
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] }
    )
    let said = ''
    holder.stdout!.on('data', (d: Buffer) => (said += d.toString()))
    const exited = new Promise((resolve) => holder.on('exit', resolve))
    await until(() => said.includes('locked'), 20_000, 'the other process to lock the database')
    const during = s.queue.stats().byStatus.completed ?? 0
    await until(() => said.includes('released'), 30_000, 'the other process to release the lock')
    await exited

    await until(() => ended(s, ids), 60_000, 'every job to end')
    await expectComplete(s, ids)
    expect(s.queue.list({}).length).toBe(ids.length)
    for (const id of ids) {
      const finished = s.queue.logs(id).map((l) => l.message).filter((m) => /^finished \S+ in /.test(m)).map((m) => m.split(' ')[1])
      expect(new Set(finished).size, `${id}: ${finished.join(', ')}`).toBe(finished.length)
    }
    expect(during).toBeLessThan(ids.length)
    expect(s.db.pragma('integrity_check', { simple: true })).toBe('ok')
  })
})
