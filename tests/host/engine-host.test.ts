/**
 * The engine host in a real child process, driven by the client over the port protocol:
 * what the desktop app does with its utility process and `studio serve` with its child.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import type { EngineEvent, JobDetail, JobView } from '../../src/shared/types'
import { forkEngine } from '../../src/main/host/child-process'
import { EngineClient } from '../../src/main/host/engine-client'
import { tempDir, until } from '../helpers/engine'
import { callsOf } from '../helpers/test-pipelines'

const CHILD = resolve(dirname(fileURLToPath(import.meta.url)), '../helpers/host-child.ts')

let client: EngineClient | null = null
afterEach(async () => {
  await client?.close(0)
  client = null
})

function startClient(dataDir: string) {
  const logs: string[] = []
  const events: EngineEvent[] = []
  const pids: number[] = []
  const c = new EngineClient({
    spawn: () => {
      const proc = forkEngine(CHILD, [dataDir], { execArgv: ['--import', 'tsx'] })
      pids.push(proc.pid!)
      return proc
    },
    backoff: { initialMs: 50, maxMs: 500 },
    log: (message) => logs.push(message)
  })
  c.subscribe((event) => events.push(event))
  client = c
  return { client: c, logs, events, pids }
}

async function job(c: EngineClient, id: string): Promise<JobDetail> {
  const result = await c.call('jobs/get', { id })
  if (!result.ok) throw new Error(result.error.message)
  return result.value as JobDetail
}

describe('engine host in a child process', () => {
  it('restarts after SIGKILL mid-step; the client reconnects and the job resumes and completes exactly once', async () => {
    const dir = tempDir('engine-host-')
    const { client: c, events, pids } = startClient(dir)
    const first = await c.start()
    expect(first.pid).toBe(pids[0])
    expect(first.dataDir).toBe(dir)

    writeFileSync(join(dir, 'hold-b'), '')
    const added = await c.call('jobs/enqueue', { type: 'three', input: { label: 'j', holdWhile: { b: 'hold-b' } } })
    expect(added.ok).toBe(true)
    const id = (added as { value: JobView }).value.id
    // Step a is done and b is running (held) when the engine's process is killed.
    await until(() => callsOf(dir).includes('j:b'), 30_000, 'step b to start')
    expect(callsOf(dir)).toEqual(['j:a', 'j:b'])
    expect(events.some((e) => e.type === 'job.progress')).toBe(true)

    process.kill(first.pid, 'SIGKILL')
    await until(() => events.find((e) => e.type === 'engine.connection' && e.state === 'lost'), 30_000, 'the loss to be seen')
    // A call made while the engine restarts waits for it instead of failing.
    const during = c.call('queue/stats', {})
    await until(() => events.find((e) => e.type === 'engine.connection' && e.state === 'reconnected'), 60_000, 'the client to reconnect')
    expect((await during).ok).toBe(true)
    expect(c.info!.pid).not.toBe(first.pid)
    expect(c.restarts).toBe(1)

    rmSync(join(dir, 'hold-b'))
    await until(async () => (await job(c, id)).status === 'completed' && true, 60_000, 'the job to complete after the restart')
    // a finished before the kill and was not run again; b ran again (it had not finished); c once.
    expect(callsOf(dir)).toEqual(['j:a', 'j:b', 'j:b', 'j:c'])
    const done = await job(c, id)
    expect(done.steps.map((s) => [s.name, s.status])).toEqual([
      ['a', 'completed'],
      ['b', 'completed'],
      ['c', 'completed']
    ])
    // Events flow from the new process too.
    await until(() => events.find((e) => e.type === 'job.changed' && e.job.id === id && e.job.status === 'completed'), 10_000, 'the completion event')
  }, 150_000)

  it('refuses malformed messages with a clear error and keeps serving', async () => {
    const dir = tempDir('engine-host-')
    const { client: c, logs } = startClient(dir)
    await c.start()
    c.sendRaw('hello')
    c.sendRaw(null)
    c.sendRaw({ t: 'call', id: 7, command: 42 })
    c.sendRaw({ t: 'shutdown' })
    c.sendRaw({ t: 'close', id: 8, graceMs: -1 })
    c.sendRaw({ t: 'op', id: 9, op: 'assets.importFile', args: { projectId: 'p' } })
    await until(() => logs.filter((l) => l.includes('refused')).length >= 5, 20_000, 'the refusals')
    const refusals = logs.filter((l) => l.includes('refused'))
    expect(refusals.join('\n')).toMatch(/bad message: .*command/)
    expect(refusals.join('\n')).toMatch(/bad message: .*graceMs/)
    // Unknown or ill-formed contract commands get the contract's own answers.
    expect(await c.call('jobs/nope', {})).toMatchObject({ ok: false, error: { code: 'unknown_command' } })
    expect(await c.call('jobs/get', { id: 5 })).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringContaining('id') } })
    // The host is the same process and still answers.
    expect(c.restarts).toBe(0)
    expect(await c.call('queue/stats', {})).toMatchObject({ ok: true })
    expect(existsSync(join(dir, 'studio.db'))).toBe(true)
  }, 90_000)
})
