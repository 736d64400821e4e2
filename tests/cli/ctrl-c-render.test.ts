/**
 * Ctrl-C in the terminal while `studio run` renders a video. The terminal signals the whole
 * foreground process group; `studio run` promises to let running steps finish (up to 10 s).
 * ffmpeg must not die with it: the render completes and no attempt is spent. The real CLI and
 * the real ffmpeg, in a process group of their own, signalled as a terminal does.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { tempDir, until } from '../helpers/engine'

describe('Ctrl-C during a render', () => {
  it.skipIf(process.platform === 'win32')('lets the render finish, then stops', async () => {
    const dir = tempDir()
    const add = spawn(process.execPath, ['bin/studio.mjs', '--data-dir', dir, '--json', 'add', 'video', '--input', '{"idea":"Les phares de Bretagne","images":2,"music":false,"draft":true}'])
    let added = ''
    add.stdout.on('data', (d: Buffer) => (added += d.toString()))
    await once(add, 'exit')
    const id = (JSON.parse(added) as { id: string }).id

    const run = spawn(process.execPath, ['bin/studio.mjs', '--data-dir', dir, 'run', '--until-idle'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    run.stdout!.on('data', (d: Buffer) => (out += d.toString()))
    run.stderr!.on('data', (d: Buffer) => (out += d.toString()))
    const db = new Database(join(dir, 'studio.db'), { readonly: true })
    const videoStep = () => db.prepare<[string], { status: string; attempts: number }>("SELECT status, attempts FROM steps WHERE job_id = ? AND name = 'video'").get(id)
    await until(() => videoStep()?.status === 'running', 60_000, 'the render to start')
    await new Promise((r) => setTimeout(r, 300)) // ffmpeg is up
    process.kill(-run.pid!, 'SIGINT') // what the terminal does on Ctrl-C
    // A render killed by the signal would have failed at once, sending the job back to the queue.
    await new Promise((r) => setTimeout(r, 1_000))
    expect(['running', 'completed'], out).toContain(videoStep()!.status)

    const [code] = (await once(run, 'exit')) as [number | null]
    expect(code, out).toBe(0)
    expect(out).toContain('SIGINT: finishing running steps')
    const job = db.prepare<[string], { status: string; retry_count: number }>('SELECT status, retry_count FROM jobs WHERE id = ?').get(id)!
    expect(job.retry_count, out).toBe(0)
    // On a loaded machine the render may outlast the 10 s of grace: then it was stopped by the
    // engine and waits in the queue, its attempt given back.
    if (job.status === 'completed') expect(videoStep()!.attempts).toBe(1)
    else expect([job.status, videoStep()!.attempts], out).toEqual(['pending', 0])
    db.close()
  }, 120_000)
})
