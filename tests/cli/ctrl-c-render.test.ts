/**
 * Ctrl-C in the terminal while `studio run` renders a video. The terminal signals the whole
 * foreground process group; `studio run` promises to let running steps finish (up to 10 s).
 * ffmpeg must not die with it: the render completes and no attempt is spent. And when the
 * terminal closes, the render must not outlive the CLI. The real CLI and the real ffmpeg, in a
 * process group of their own, signalled as a terminal does.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { tempDir, until } from '../helpers/engine'

async function queuedVideo(dir: string): Promise<string> {
  const add = spawn(process.execPath, ['bin/studio.mjs', '--data-dir', dir, '--json', 'add', 'video', '--input', '{"idea":"Les phares de Bretagne","images":2,"music":false,"draft":true}'])
  let added = ''
  add.stdout.on('data', (d: Buffer) => (added += d.toString()))
  await once(add, 'exit')
  return (JSON.parse(added) as { id: string }).id
}

/** `studio run --until-idle` in a process group of its own, as a terminal's foreground job. */
function runInTerminal(dir: string, command: string[] = ['run', '--until-idle']): { run: ChildProcess; output: () => string } {
  const run = spawn(process.execPath, ['bin/studio.mjs', '--data-dir', dir, ...command], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  run.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  run.stderr!.on('data', (d: Buffer) => (out += d.toString()))
  return { run, output: () => out }
}

const ended = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null
/** The child's exit code, once it has exited (maybe already). */
const exitCode = async (child: ChildProcess) => (ended(child) ? child.exitCode : ((await once(child, 'exit')) as [number | null])[0])

/** An ffmpeg of this data folder is running (its command line names files in it). */
const rendering = (dir: string) =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((p) => p.includes('ffmpeg') && p.includes(dir))

const stepOf = (db: Database.Database, id: string, name: string) =>
  db.prepare<[string, string], { status: string; attempts: number }>('SELECT status, attempts FROM steps WHERE job_id = ? AND name = ?').get(id, name)

describe('Ctrl-C during a render', () => {
  it.skipIf(process.platform === 'win32')('lets the render finish, then stops', async () => {
    const dir = tempDir()
    const id = await queuedVideo(dir)
    const { run, output } = runInTerminal(dir)
    const db = new Database(join(dir, 'studio.db'), { readonly: true })
    const videoStep = () => stepOf(db, id, 'video')
    await until(() => videoStep()?.status === 'running' && rendering(dir).length > 0, 60_000, 'ffmpeg to render')
    process.kill(-run.pid!, 'SIGINT') // what the terminal does on Ctrl-C
    await until(() => output().includes('SIGINT: finishing running steps') || ended(run), 60_000, 'the CLI to take the signal')
    // A render killed by the signal would have failed at once, sending the job back to the queue
    // with an attempt spent: the retry count and the step's attempts below would say so.

    const code = await exitCode(run)
    expect(code, output()).toBe(0)
    expect(output()).toContain('SIGINT: finishing running steps')
    const job = db.prepare<[string], { status: string; retry_count: number }>('SELECT status, retry_count FROM jobs WHERE id = ?').get(id)!
    expect(job.retry_count, output()).toBe(0)
    // On a loaded machine the render may outlast the 10 s of grace: then it was stopped by the
    // engine and waits in the queue, its attempt given back.
    if (job.status === 'completed') expect(videoStep()!.attempts).toBe(1)
    else expect([job.status, videoStep()!.attempts], output()).toEqual(['pending', 0])
    db.close()
  }, 120_000)

  it.skipIf(process.platform === 'win32').each([
    ['run', '--until-idle'],
    ['serve', '--port', '0']
  ])('when the terminal closes, `studio %s` stops the render too instead of leaving it running', async (...command) => {
    const dir = tempDir()
    const id = await queuedVideo(dir)
    const { run, output } = runInTerminal(dir, command)
    const db = new Database(join(dir, 'studio.db'), { readonly: true })
    await until(() => stepOf(db, id, 'video')?.status === 'running' && rendering(dir).length > 0, 60_000, 'ffmpeg to render')
    process.kill(-run.pid!, 'SIGHUP') // the terminal closes

    await exitCode(run)
    expect(rendering(dir), output()).toEqual([])
    const job = db.prepare<[string], { status: string; retry_count: number }>('SELECT status, retry_count FROM jobs WHERE id = ?').get(id)!
    expect(job).toEqual({ status: 'pending', retry_count: 0 })
    expect(stepOf(db, id, 'video')!.attempts).toBe(0)
    db.close()
  }, 120_000)
})
