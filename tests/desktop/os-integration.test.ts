/**
 * What a render queue shows the OS: taskbar/dock progress, notifications when work finishes,
 * the tray with the queue count, the application menu's queue shortcuts, reveal in folder.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { BatchView, EngineEvent, JobView, QueueEta, QueueStats } from '../../src/shared/types'
import { dispatch } from '../../src/main/api/handlers'
import { desktopHandlers } from '../../src/main/desktop/desktop-handlers'
import { appMenuTemplate } from '../../src/main/desktop/menu'
import { describeFinishes, notifyFinishes, type NotificationText } from '../../src/main/desktop/notifications'
import { PreferencesStore } from '../../src/main/desktop/preferences'
import { taskbarProgress } from '../../src/main/desktop/progress'
import type { QueueSnapshot } from '../../src/main/desktop/queue-monitor'
import { queueSummary } from '../../src/main/desktop/tray'
import { MenuDouble, electron, type MenuItemTemplate } from '../helpers/electron-double'
import { tempDir, until } from '../helpers/engine'
import { bootDesktop, type Booted } from './boot'

vi.mock('electron', async () => (await import('../helpers/electron-double')).electronModule())

function stats(byStatus: Partial<QueueStats['byStatus']>, paused = false): QueueStats {
  return {
    total: 0,
    byStatus: { pending: 0, processing: 0, paused: 0, completed: 0, failed: 0, cancelled: 0, ...byStatus },
    waiting: 0,
    byType: {},
    avgDurationMsByType: {},
    successRate24h: null,
    finished24h: 0,
    paused
  }
}
/** As the engine gives it: a paused queue has no end time, only the work its jobs have left (here on two workers). */
function snapshot(s: QueueStats, totalMs: number, busyForMs: number): QueueSnapshot {
  const eta: QueueEta = s.paused
    ? { paused: true, totalMs: null, concurrency: 2, jobs: [{ jobId: 'j', remainingWorkMs: 2 * totalMs, finishInMs: null }], batchRowsWaiting: 0 }
    : { paused: false, totalMs, concurrency: 2, jobs: [], batchRowsWaiting: 0 }
  const active = s.byStatus.pending + s.byStatus.processing
  return { stats: s, eta, active, busySince: active ? 1_000_000 - busyForMs : null, at: 1_000_000 }
}

describe('taskbar progress for the whole queue', () => {
  it('cleared when idle', () => {
    expect(taskbarProgress(snapshot(stats({ completed: 5 }), 0, 0))).toEqual({ value: -1, mode: 'none' })
  })
  it('the elapsed share of the busy period, from the ETA', () => {
    expect(taskbarProgress(snapshot(stats({ processing: 1, pending: 3 }), 30_000, 10_000))).toEqual({ value: 0.25, mode: 'normal' })
    expect(taskbarProgress(snapshot(stats({ processing: 1 }), 0, 10_000)).value).toBe(0.99)
    expect(taskbarProgress(snapshot(stats({ processing: 1 }), 60_000, 0)).value).toBe(0.01)
  })
  it('indeterminate when jobs only wait (provider down, backoff); paused when the queue is paused', () => {
    expect(taskbarProgress(snapshot(stats({ pending: 4 }), 40_000, 5_000))).toEqual({ value: 2, mode: 'indeterminate' })
    expect(taskbarProgress(snapshot(stats({ pending: 4 }, true), 30_000, 10_000))).toEqual({ value: 0.25, mode: 'paused' })
  })
})

describe('notifications when work finishes', () => {
  const job = (over: Partial<JobView>): EngineEvent => ({
    type: 'job.changed',
    job: { id: 'j1', title: 'Intro video', type: 'video', status: 'completed', completedAt: 1, error: null, batchId: null, ...over } as JobView
  })
  const batch = (over: Partial<BatchView>): EngineEvent => ({
    type: 'batch.changed',
    batch: { id: 'b1', name: 'Spring catalogue', status: 'completed', doneRows: 40, failedRows: 0, invalidRows: 0, finishedAt: 5, errors: [], ...over } as BatchView
  })

  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  function setup() {
    const listeners = new Set<(e: EngineEvent) => void>()
    const shown: NotificationText[] = []
    const stop = notifyFinishes({ subscribe: (l) => (listeners.add(l), () => listeners.delete(l)) }, { windowMs: 1000, show: (t) => shown.push(t) })
    return { emit: (e: EngineEvent) => listeners.forEach((l) => l(e)), shown, stop }
  }

  it('one finish → one specific notification; a failure says why', () => {
    const { emit, shown } = setup()
    emit(job({}))
    vi.advanceTimersByTime(1000)
    expect(shown).toEqual([{ title: '“Intro video” is ready', body: 'Finished successfully.' }])
    emit(job({ id: 'j2', title: 'Outro', status: 'failed', error: 'ffmpeg exited with code 1' }))
    vi.advanceTimersByTime(1000)
    expect(shown[1]).toEqual({ title: '“Outro” failed', body: 'ffmpeg exited with code 1' })
  })

  it('many finishes at once → one summary; duplicates, cancels, running jobs and batch rows are not announced', () => {
    const { emit, shown } = setup()
    for (let i = 0; i < 6; i++) emit(job({ id: `j${i}`, title: `Clip ${i}`, status: i === 5 ? 'failed' : 'completed' }))
    emit(job({ id: 'j0', title: 'Clip 0' })) // the same finish announced twice by the engine
    emit(job({ id: 'c', status: 'cancelled' }))
    emit(job({ id: 'r', status: 'processing' }))
    emit(job({ id: 'row', batchId: 'b1' }))
    vi.advanceTimersByTime(1000)
    expect(shown).toEqual([{ title: '6 jobs finished — 5 done, 1 failed', body: 'Clip 0, Clip 1, Clip 2…' }])
  })

  it('a batch completing or failing is announced once', () => {
    const { emit, shown } = setup()
    emit(batch({}))
    emit(batch({}))
    emit(batch({ status: 'running', id: 'b2' }))
    vi.advanceTimersByTime(1000)
    expect(shown).toEqual([{ title: 'Batch “Spring catalogue” is ready', body: '40 rows done.' }])
    expect(describeFinishes([{ kind: 'batch', id: 'x', title: 'B', ok: false, detail: null }]).title).toBe('Batch “B” failed')
  })

  it('native notifications are shown, and clicking one shows the window', async () => {
    vi.useRealTimers()
    electron.reset()
    const booted = await bootDesktop()
    try {
      booted.win.hide()
      booted.studio.events.emit(job({ id: 'native' }))
      await until(() => electron.Notification.shown.length === 1, 5_000, 'notification')
      expect(electron.Notification.shown[0]!.options.title).toBe('“Intro video” is ready')
      electron.Notification.shown[0]!.click()
      expect(booted.win.isVisible()).toBe(true)
    } finally {
      await booted.shutdown()
    }
  })
})

describe('tray, menu, taskbar on a running studio', () => {
  let booted: Booted
  beforeEach(async () => {
    electron.reset()
    booted = await bootDesktop()
  })
  afterEach(async () => {
    await booted.shutdown()
  })

  const tray = () => electron.Tray.instances[0]!

  it('the tray tooltip and menu show the queue count; the taskbar shows progress; both follow the queue', async () => {
    expect(tray().tooltip).toBe('Creative Studio — idle')
    for (const prompt of ['one small story', 'two small stories', 'three small stories']) {
      expect((await booted.invoke('jobs/enqueue', { type: 'text', input: { prompt } })).ok).toBe(true)
    }
    await until(() => tray().tooltip === 'Creative Studio — 3 queued', 5_000, 'tray tooltip')
    expect(tray().contextMenu!.find('summary')!.label).toBe('Creative Studio — 3 queued')
    // Nothing is running (the pool is not started): jobs only wait → indeterminate.
    expect(booted.win.progress.at(-1)).toEqual({ value: 2, options: { mode: 'indeterminate' } })
  })

  it('pause and resume from the tray reach the engine, and the menus follow', async () => {
    tray().contextMenu!.click('pause')
    await until(() => booted.studio.queue.isPaused(), 5_000, 'queue paused')
    await until(() => tray().contextMenu!.find('resume') !== undefined, 5_000, 'tray menu shows Resume')
    expect(electron.Menu.getApplicationMenu()!.find('resume')).toBeDefined()
    expect(tray().contextMenu!.find('run-now')!.enabled).toBe(false)
    electron.Menu.getApplicationMenu()!.click('resume')
    await until(() => !booted.studio.queue.isPaused(), 5_000, 'queue resumed')
    await until(() => electron.Menu.getApplicationMenu()!.find('pause') !== undefined, 5_000, 'menu shows Pause')
  })

  it('"Open Output Folder" opens the jobs folder; "Run Queue Now" kicks the pool', async () => {
    electron.Menu.getApplicationMenu()!.click('open-output')
    await until(() => electron.shell.openedPaths.length === 1, 5_000, 'openPath')
    expect(electron.shell.openedPaths).toEqual([booted.studio.artifactsRoot])
    const kick = vi.spyOn(booted.studio.pool, 'kick')
    tray().contextMenu!.click('run-now')
    await until(() => kick.mock.calls.length === 1, 5_000, 'pool kicked')
  })

  it('quit from the tray drains first', async () => {
    tray().contextMenu!.click('quit')
    await until(() => electron.app.quitted, 10_000, 'app to quit')
    expect(booted.studio.db.open).toBe(false)
    // Windows leaves a dead icon in the tray until hovered unless it is destroyed before exit.
    expect(tray().isDestroyed()).toBe(true)
  })
})

describe('application menu', () => {
  const prefs = () => new PreferencesStore(join(tempDir('prefs-'), 'p.json'))
  const actions = { pauseQueue: vi.fn(), resumeQueue: vi.fn(), runNow: vi.fn(), openOutputFolder: vi.fn() }
  const flatten = (items: readonly unknown[]): MenuItemTemplate[] =>
    (items as MenuItemTemplate[]).flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])])

  it('macOS gets the app menu; every platform gets File, Edit, Queue, View, Window', () => {
    const mac = appMenuTemplate({ appName: 'Creative Studio', actions: actions as never, preferences: prefs(), isPaused: () => false, dev: false, platform: 'darwin' })
    expect(mac[0]!.label).toBe('Creative Studio')
    expect(flatten(mac[0]!.submenu as MenuItemTemplate[]).map((i) => i.role).filter(Boolean)).toEqual(['about', 'services', 'hide', 'hideOthers', 'unhide', 'quit'])
    const win = appMenuTemplate({ appName: 'Creative Studio', actions: actions as never, preferences: prefs(), isPaused: () => false, dev: false, platform: 'win32' })
    expect(win.map((m) => m.label ?? m.role)).toEqual(['File', 'editMenu', 'Queue', 'View', 'windowMenu'])
  })

  it('queue shortcuts: pause/resume, run now, open output; no devtools in a packaged app', () => {
    const template = appMenuTemplate({ appName: 'Creative Studio', actions: actions as never, preferences: prefs(), isPaused: () => false, dev: false, platform: 'linux' })
    const items = flatten(template)
    expect(items.find((i) => i.id === 'pause')!.accelerator).toBe('CmdOrCtrl+Shift+P')
    expect(items.find((i) => i.id === 'run-now')!.accelerator).toBe('CmdOrCtrl+Shift+Enter')
    expect(items.find((i) => i.id === 'open-output')!.accelerator).toBe('CmdOrCtrl+Shift+O')
    expect(items.some((i) => i.role === 'toggleDevTools' || i.role === 'reload')).toBe(false)
    const accelerators = items.map((i) => i.accelerator).filter(Boolean)
    expect(new Set(accelerators).size).toBe(accelerators.length)
    const dev = flatten(appMenuTemplate({ appName: 'x', actions: actions as never, preferences: prefs(), isPaused: () => true, dev: true, platform: 'linux' }))
    expect(dev.some((i) => i.role === 'toggleDevTools')).toBe(true)
    expect(dev.find((i) => i.id === 'resume')!.accelerator).toBe('CmdOrCtrl+Shift+P')
    new MenuDouble(template as MenuItemTemplate[]).click('pause')
    expect(actions.pauseQueue).toHaveBeenCalledOnce()
  })

  it('queueSummary reads well', () => {
    expect(queueSummary(null)).toBe('starting…')
    expect(queueSummary(snapshot(stats({ processing: 2, pending: 5 }), 1, 1))).toBe('2 rendering, 5 queued')
    expect(queueSummary(snapshot(stats({ pending: 1 }, true), 1, 1))).toBe('queue paused — 1 queued')
    expect(queueSummary(snapshot(stats({}, true), 1, 1))).toBe('queue paused, nothing waiting')
  })
})

describe('system/reveal and system/openExternal (desktop-only contract commands)', () => {
  let dataDir: string
  let handlers: ReturnType<typeof desktopHandlers>
  const secrets = { set: () => true, unavailableReason: () => null }
  beforeEach(() => {
    electron.reset()
    dataDir = tempDir('reveal-')
    mkdirSync(join(dataDir, 'jobs', 'j1'), { recursive: true })
    writeFileSync(join(dataDir, 'jobs', 'j1', 'video.mp4'), 'v')
    handlers = desktopHandlers({ revealRoots: [dataDir], secrets, invalidateProviders: () => {} })
  })

  it('reveals a file or folder inside the data folder', async () => {
    await handlers['system/reveal']({ path: join(dataDir, 'jobs', 'j1', 'video.mp4') })
    await handlers['system/reveal']({ path: join(dataDir, 'jobs', 'j1') })
    expect(electron.shell.revealed).toEqual([join(dataDir, 'jobs', 'j1', 'video.mp4'), join(dataDir, 'jobs', 'j1')])
  })

  it('exploit: refuses paths outside it (.., symlinks out, system files) without revealing anything', async () => {
    symlinkSync('/etc', join(dataDir, 'jobs', 'etc-link'))
    for (const path of ['/etc/passwd', join(dataDir, '..'), join(dataDir, 'jobs', '..', '..', 'x'), join(dataDir, 'jobs', 'etc-link', 'passwd'), 'relative/path']) {
      await expect(handlers['system/reveal']({ path }), path).rejects.toMatchObject({ code: expect.stringMatching(/forbidden|bad_request|not_found/) })
    }
    expect(electron.shell.revealed).toEqual([])
    expect(electron.callsTo('shell.showItemInFolder')).toEqual([])
  })

  it('opens http(s) links only; anything else is bad_request and never reaches the OS', async () => {
    await handlers['system/openExternal']({ url: 'https://platform.openai.com/api-keys' })
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'https://u:p@evil.example/', 'smb://x/y', 'ms-settings:']) {
      await expect(handlers['system/openExternal']({ url }), url).rejects.toMatchObject({ code: 'bad_request' })
    }
    expect(electron.shell.opened).toEqual(['https://platform.openai.com/api-keys'])
  })

  it('their answers come back through dispatch as Results, like any other command', async () => {
    const result = await dispatch({ 'settings/setApiKey': handlers['settings/setApiKey'] } as never, 'settings/setApiKey', { kind: 'text', key: 'sk-x' })
    expect(result).toEqual({ ok: true, value: null })
  })
})
