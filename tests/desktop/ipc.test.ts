import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { commands } from '../../src/shared/contract'
import { IMPORT_DROPPED_CHANNEL } from '../../src/main/desktop/dropped-files'
import type { EngineEvent } from '../../src/shared/types'
import { EVENT_CHANNEL, forwardEvents } from '../../src/main/desktop/push'
import { SessionDouble, WebContentsDouble, electron } from '../helpers/electron-double'
import { useDesktop } from './boot'

vi.mock('electron', async () => (await import('../helpers/electron-double')).electronModule())

describe('IPC: the contract over ipcMain', () => {
  const booted = useDesktop()

  it('registers every contract command exactly once, with the command name as channel, and nothing else', () => {
    const channels = electron.callsTo('ipcMain.handle').map((c) => c.args[0] as string)
    // Plus the one channel outside the contract: dropped media by path (see dropped-files.ts).
    expect([...channels].sort()).toEqual([...Object.keys(commands), IMPORT_DROPPED_CHANNEL].sort())
    expect(new Set(channels).size).toBe(channels.length)
  })

  it('a good call from the app page reaches the engine: the job is enqueued', async () => {
    const result = await booted.invoke('jobs/enqueue', { type: 'text', input: { prompt: 'a haiku about render queues' }, title: 'Haiku' })
    expect(result.ok).toBe(true)
    const jobs = booted.studio.queue.list()
    expect(jobs).toHaveLength(1)
    expect(jobs[0]).toMatchObject({ type: 'text', title: 'Haiku', status: 'pending' })
    if (result.ok) expect(result.value.id).toBe(jobs[0]!.id)
  })

  it('a call with bad arguments is refused with bad_request naming the field, and nothing is enqueued', async () => {
    const result = await booted.invokeFrom(booted.win.webContents.mainFrame, 'jobs/enqueue', { type: 'text', input: {}, priority: 99 })
    expect(result).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    if (!result.ok) expect(result.error.message).toMatch(/priority/)
    const unknownField = await booted.invokeFrom(booted.win.webContents.mainFrame, 'jobs/setPriority', { id: 'x', priority: 2, sql: 'DROP TABLE jobs' })
    expect(unknownField).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    if (!unknownField.ok) expect(unknownField.error.message).toMatch(/sql/)
    for (const place of [{ id: 'x' }, { id: 'x', before: 'y', after: 'z' }]) {
      const r = await booted.invoke('jobs/place', place as never)
      expect(r).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(/exactly one of before or after/) } })
    }
    expect(booted.studio.queue.list()).toEqual([])
  })

  it.each(Object.keys(commands))('%s: an unknown field is refused with bad_request naming it, and nothing changes', async (command) => {
    const before = JSON.stringify({ jobs: booted.studio.queue.list(), settings: booted.studio.settings.get(), batches: booted.studio.batches.list() })
    const result = await booted.invokeFrom(booted.win.webContents.mainFrame, command, { injected: 'DROP TABLE jobs' })
    expect(result).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(/injected/) } })
    expect(JSON.stringify({ jobs: booted.studio.queue.list(), settings: booted.studio.settings.get(), batches: booted.studio.batches.list() })).toBe(before)
  })

  it('errors from the engine come back as a Result, never as a thrown IPC error', async () => {
    const result = await booted.invoke('jobs/get', { id: 'no-such-job' })
    expect(result).toMatchObject({ ok: false, error: { code: 'not_found' } })
  })

  it('engine events reach the window on studio:event', async () => {
    const result = await booted.invoke('jobs/enqueue', { type: 'text', input: { prompt: 'a short story' } })
    expect(result.ok).toBe(true)
    const pushed = booted.win.webContents.sent.filter((m) => m.channel === EVENT_CHANNEL).map((m) => m.args[0] as EngineEvent)
    expect(pushed.some((e) => e.type === 'job.changed' && e.job.status === 'pending')).toBe(true)
  })
})

describe('push events: job.progress coalesced per frame, everything else in order', () => {
  function setup() {
    const listeners = new Set<(e: EngineEvent) => void>()
    const source = { subscribe: (l: (e: EngineEvent) => void) => (listeners.add(l), () => listeners.delete(l)) }
    const contents = new WebContentsDouble(new SessionDouble())
    const stop = forwardEvents(source, () => contents as never, 16)
    const emit = (e: EngineEvent) => listeners.forEach((l) => l(e))
    const sent = () => contents.sent.filter((m) => m.channel === EVENT_CHANNEL).map((m) => m.args[0] as EngineEvent)
    return { emit, sent, stop, contents, listeners }
  }
  const progress = (jobId: string, p: number): EngineEvent => ({ type: 'job.progress', jobId, progress: p, step: 's', stepProgress: p, message: null })

  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('a burst of progress becomes one message per job per frame, carrying the latest value', () => {
    const { emit, sent } = setup()
    for (let i = 1; i <= 500; i++) {
      emit(progress('a', i / 5))
      emit(progress('b', i / 10))
    }
    expect(sent()).toEqual([])
    vi.advanceTimersByTime(16)
    expect(sent()).toEqual([progress('a', 100), progress('b', 50)])
  })

  it('other events go out at once and in order; a job change flushes that job’s pending progress first', () => {
    const { emit, sent } = setup()
    emit(progress('a', 40))
    emit({ type: 'queue.changed', paused: true })
    emit({ type: 'job.changed', job: { id: 'a', status: 'completed', progress: 100 } as never })
    emit({ type: 'queue.changed', paused: false })
    expect(sent().map((e) => e.type)).toEqual(['queue.changed', 'job.progress', 'job.changed', 'queue.changed'])
    vi.advanceTimersByTime(50)
    expect(sent()).toHaveLength(4)
  })

  it('progress of a removed job is dropped; nothing is sent to a destroyed window; stop unsubscribes', () => {
    const { emit, sent, stop, contents, listeners } = setup()
    emit(progress('gone', 10))
    emit({ type: 'job.removed', jobId: 'gone' })
    vi.advanceTimersByTime(20)
    expect(sent().map((e) => e.type)).toEqual(['job.removed'])
    contents.destroyed = true
    expect(() => emit({ type: 'queue.changed', paused: true })).not.toThrow()
    stop()
    expect(listeners.size).toBe(0)
  })
})
