/**
 * `studio run` as a service or in a script: its output goes to a file or a pipe, not a terminal.
 * It must keep waiting for work (and for retries whose time has not come) until it is stopped,
 * then say what it did. The real CLI, spawned.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { tempDir, until } from '../helpers/engine'

function studio(dataDir: string, ...args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['bin/studio.mjs', '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()))
  return { child, output: () => out }
}

const exited = async (child: ChildProcess) => ((await once(child, 'exit')) as [number | null])[0]

describe('studio run with its output in a pipe', () => {
  it('keeps waiting for jobs on an empty queue until Ctrl-C, then says what it did', async () => {
    const { child, output } = studio(tempDir(), 'run')
    // Its first line says it runs (its Ctrl-C handler is in place by then): a fixed sleep was too
    // short on a loaded machine, and the SIGINT killed it before it could answer.
    await until(() => output().includes('running with') || child.exitCode !== null, 60_000, 'studio run to say it runs')
    expect(child.exitCode, output()).toBeNull()
    expect(output()).not.toBe('')
    child.kill('SIGINT')
    expect(await exited(child)).toBe(0)
    expect(output()).toContain('done: 0 completed, 0 failed, 0 still queued')
  }, 90_000)

  it('--until-idle waits for a job whose next attempt is later', async () => {
    const dir = tempDir()
    const add = studio(dir, 'add', 'text', '--input', '{"prompt":"a later job"}')
    expect(await exited(add.child), add.output()).toBe(0)
    // As after a failed attempt: the job may run again only in 3 s.
    const db = new Database(join(dir, 'studio.db'))
    db.prepare('UPDATE jobs SET run_after = ?').run(Date.now() + 3_000)
    db.close()
    const { child, output } = studio(dir, 'run', '--until-idle')
    expect(await exited(child), output()).toBe(0)
    expect(output()).toContain('done: 1 completed, 0 failed, 0 still queued')
  }, 30_000)
})
