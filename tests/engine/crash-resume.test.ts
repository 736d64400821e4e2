import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Engine } from '../../src/main/engine/engine'
import { openTestEngine, tempDir, until } from '../helpers/engine'
import { callsOf, type TestServices } from '../helpers/test-pipelines'

let engine: Engine<TestServices> | undefined
afterEach(async () => {
  await engine?.close(100)
  engine = undefined
})

describe('crash and resume', () => {
  it('a worker process killed with SIGKILL mid-step: a new engine resumes each job at its unfinished step', async () => {
    const dir = tempDir('studio-crash-')
    // The parent only enqueues and watches: its pool is never started.
    engine = openTestEngine({}, dir)
    writeFileSync(join(dir, 'hold-b'), '')
    const ids = [1, 2, 3].map((i) => engine!.queue.enqueue({ type: 'three', input: { label: `k${i}`, holdWhile: { b: 'hold-b' } } }).id)

    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/crash-child.ts', dir], { stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
    // Two jobs (the pool's concurrency) reach step b and hold there, mid-step, with a live lease.
    // (The step's start commits just before its body runs: wait for the body too, not only the row.)
    await until(
      () =>
        engine!.queue.list({ status: 'processing' }).filter((j) => j.currentStep === 'b').length === 2 &&
        callsOf(dir).filter((c) => c.endsWith(':b')).length === 2,
      30_000,
      'two jobs inside step b'
    )
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')

    const interrupted = engine.queue.list({ status: 'processing' }).map((j) => j.id)
    expect(interrupted).toHaveLength(2)
    await engine.close(100)

    // A new engine in this process: the dead owner is recognised at once (no lease expiry wait).
    rmSync(join(dir, 'hold-b'))
    engine = openTestEngine({}, dir)
    engine.pool.start()
    await until(() => engine!.queue.stats().byStatus.completed === 3, 20_000, 'all jobs completed')

    const calls = callsOf(dir)
    for (const i of [1, 2, 3]) {
      expect(calls.filter((c) => c === `k${i}:a`)).toHaveLength(1)
      expect(calls.filter((c) => c === `k${i}:c`)).toHaveLength(1)
    }
    for (const id of interrupted) {
      const job = engine.queue.get(id)!
      const label = (job.payload as { label: string }).label
      // b was running when the process died: it runs again, a does not.
      expect(calls.filter((c) => c === `${label}:b`)).toHaveLength(2)
      const log = engine.queue.logs(id).map((l) => l.message)
      expect(log.some((m) => /stopped responding during b; job returned to the queue/.test(m))).toBe(true)
      expect(log).toContain('skipping a (already done)')
      expect(job.steps.every((s) => s.status === 'completed')).toBe(true)
    }
    const untouched = ids.find((id) => !interrupted.includes(id))!
    const label = (engine.queue.get(untouched)!.payload as { label: string }).label
    expect(calls.filter((c) => c === `${label}:b`)).toHaveLength(1)
  })
})

describe('a tool left running by an engine killed with SIGKILL', () => {
  it('is stopped when a new engine takes its job back', async () => {
    const dir = tempDir('studio-orphan-')
    engine = openTestEngine({}, dir)
    engine.queue.enqueue({ type: 'tool', input: {} })
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/crash-child.ts', dir], { stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise((resolve) => child.on('exit', resolve))
    const pidFile = join(dir, 'tool.pid')
    const pid = Number(await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8'), 30_000, 'the tool to start'))
    child.kill('SIGKILL')
    await exited
    const alive = () => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    }
    try {
      expect(alive()).toBe(true) // in its own process group, it outlived the engine
      engine.pool.start() // takes the dead engine's job back
      await until(() => !alive(), 5_000, 'the orphaned tool to be stopped')
    } finally {
      if (alive()) process.kill(pid, 'SIGKILL')
    }
  })
})
