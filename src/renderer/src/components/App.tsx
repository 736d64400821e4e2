import { useEffect, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useCall } from '../api/context'
import { useT } from '../i18n/use-t'
import { getStudio, useStudio } from '../store'
import type { Notice, Theme, View } from '../store/types'
import { BatchCreateDialog } from './batch/BatchCreateDialog'
import { BatchDashboard, openSheet, SHEET_EXTENSIONS } from './batch/BatchDashboard'
import { ConfirmHost } from './common/ConfirmDialog'
import { formatPercent } from './common/format'
import { isTyping } from './common/hooks'
import { Icon, type IconName } from './common/Icon'
import { ProjectEditor, shownProject } from './projects/ProjectEditor'
import { ProviderPanel } from './providers/ProviderPanel'
import { alertKey, alertShown, useDismissedAlert } from './providers/alert-state'
import { NewJobDialog } from './queue/NewJobDialog'
import { TaskQueuePanel } from './queue/TaskQueuePanel'
import { SettingsPanel } from './settings/SettingsPanel'
import { ShortcutsDialog } from './ShortcutsDialog'
import { JobTracker } from './tracker/JobTracker'

const VIEWS: { id: View; icon: IconName }[] = [
  { id: 'queue', icon: 'queue' },
  { id: 'jobs', icon: 'jobs' },
  { id: 'batches', icon: 'batch' },
  { id: 'providers', icon: 'providers' },
  { id: 'projects', icon: 'projects' },
  { id: 'settings', icon: 'settings' }
]

export function App() {
  const view = useStudio((s) => s.view)
  const newJobOpen = useStudio((s) => s.newJobOpen)
  const shortcutsOpen = useStudio((s) => s.shortcutsOpen)
  const sheet = useStudio((s) => s.droppedSheet)
  const connection = useStudio((s) => s.connection.state)
  const selectedProject = useStudio((s) => s.selectedProjectId)
  useTheme()
  useGlobalShortcuts()
  // The project a sheet was dropped on: its batch belongs there, not in 'default'.
  const [sheetProjectId, setSheetProjectId] = useState<string | null>(null)
  const dragging = useGlobalDrop(setSheetProjectId)
  // Forgotten when the dialog closes, so a sheet opened later from the batch view is not filed there.
  useEffect(() => {
    if (!sheet) setSheetProjectId(null)
  }, [sheet])

  if (connection === 'unauthorized') return <Unauthorized />
  return (
    <div className="app" data-view={view}>
      <Sidebar />
      <div className="main">
        <TopBar />
        <ConnectionBanner />
        <FarmQueueBanner />
        <main className="content" id="content">
          {view === 'queue' ? <TaskQueuePanel /> : null}
          {view === 'jobs' ? <JobTracker /> : null}
          {view === 'batches' ? <BatchDashboard /> : null}
          {view === 'providers' ? <ProviderPanel /> : null}
          {view === 'projects' ? <ProjectEditor /> : null}
          {view === 'settings' ? <SettingsPanel /> : null}
        </main>
        <StatusBar />
      </div>
      <Notices />
      <ConfirmHost />
      <Announcer />
      {newJobOpen ? <NewJobDialog {...(view === 'projects' && selectedProject ? { defaultProjectId: selectedProject } : {})} /> : null}
      {sheet ? <BatchCreateDialog sheet={sheet} {...(sheetProjectId ? { projectId: sheetProjectId } : {})} /> : null}
      {shortcutsOpen ? <ShortcutsDialog /> : null}
      {dragging ? <DropOverlay /> : null}
    </div>
  )
}

function Sidebar() {
  const t = useT()
  const view = useStudio((s) => s.view)
  const counts = useStudio(useShallow((s) => [s.stats?.byStatus.processing ?? 0, s.stats?.byStatus.failed ?? 0] as const))
  const alertNow = useStudio((s) => alertKey(s.stats, Object.values(s.providers)))
  const alert = alertShown(alertNow, useDismissedAlert())
  const batchAlert = useStudio((s) => Object.values(s.batches).some((b) => b.metrics.alert && b.status === 'running'))
  return (
    <nav className="sidebar" aria-label={t('nav.label')}>
      <div className="brand" title="Creative Studio">
        <span className="brand-mark" aria-hidden="true">
          CS
        </span>
      </div>
      {VIEWS.map((v, i) => (
        <button
          key={v.id}
          type="button"
          className={`nav-item${view === v.id ? ' active' : ''}`}
          aria-current={view === v.id ? 'page' : undefined}
          onClick={() => getStudio().setView(v.id)}
          title={`${t(`nav.${v.id}`)} (Ctrl+${i + 1})`}
          data-testid={`nav-${v.id}`}
        >
          <Icon name={v.icon} size={18} />
          <span className="nav-label">{t(`nav.${v.id}`)}</span>
          {v.id === 'queue' && counts[0] ? <span className="nav-badge info">{counts[0]}</span> : null}
          {v.id === 'jobs' && counts[1] ? <span className="nav-badge bad">{counts[1]}</span> : null}
          {v.id === 'providers' && alert ? <span className="nav-dot bad" aria-label={t('admin.alertShort')} /> : null}
          {v.id === 'batches' && batchAlert ? <span className="nav-dot bad" aria-label={t('batch.alertShort')} /> : null}
        </button>
      ))}
    </nav>
  )
}

const NEXT_THEME: Record<Theme, Theme> = { system: 'dark', dark: 'light', light: 'system' }

function TopBar() {
  const t = useT()
  const call = useCall()
  const view = useStudio((s) => s.view)
  const theme = useStudio((s) => s.theme)
  const locale = useStudio((s) => s.locale)
  const paused = useStudio((s) => s.queuePaused)
  const dockOpen = useStudio((s) => s.queueDockOpen)
  return (
    <header className="topbar">
      <h1 className="view-title">{t(`nav.${view}`)}</h1>
      <span className="spacer" />
      {paused ? (
        <button type="button" className="pill warn" onClick={() => void call('queue/resume', {})} title={t('queue.resumeAllTitle')}>
          <Icon name="pause" size={12} /> {t('queue.pausedShort')}
        </button>
      ) : null}
      {view === 'projects' ? (
        <button type="button" className="icon-button" aria-pressed={dockOpen} aria-label={t('projects.showQueue')} title={`${t('projects.showQueue')} (Q)`} onClick={() => getStudio().toggleQueueDock()}>
          <Icon name="panel" />
        </button>
      ) : null}
      <button
        type="button"
        className="icon-button"
        aria-label={t('settings.themeIs', { theme: t(`settings.theme.${theme}`) })}
        title={t('settings.themeIs', { theme: t(`settings.theme.${theme}`) })}
        onClick={() => getStudio().setTheme(NEXT_THEME[theme])}
        data-testid="theme-toggle"
      >
        <Icon name={theme === 'dark' ? 'moon' : theme === 'light' ? 'sun' : 'monitor'} />
      </button>
      <button
        type="button"
        className="lang-toggle"
        aria-label={t('settings.language')}
        title={t('settings.language')}
        onClick={() => getStudio().setLocale(locale === 'fr' ? 'en' : 'fr')}
        data-testid="lang-toggle"
      >
        {locale.toUpperCase()}
      </button>
      <button type="button" className="icon-button" aria-label={t('shortcuts.title')} title={`${t('shortcuts.title')} (?)`} onClick={() => getStudio().setShortcutsOpen(true)}>
        <Icon name="keyboard" />
      </button>
    </header>
  )
}

function StatusBar() {
  const t = useT()
  const connection = useStudio((s) => s.connection.state)
  const pool = useStudio((s) => s.pool)
  const stats = useStudio((s) => s.stats)
  const queuePaused = useStudio((s) => s.queuePaused)
  const farm = useStudio((s) => s.farmQueue)
  return (
    <footer className="statusbar">
      <span className={`conn conn-${connection}`}>
        <span className="status-dot" aria-hidden="true" />
        {t(`conn.${connection}`)}
      </span>
      {farm.queueUrl !== null ? (
        // On a farm, this computer's pool is stopped: its figures would say nothing about the farm's work.
        <span className={`conn conn-${farm.connected ? 'open' : 'reconnecting'}`} data-testid="farm-indicator" title={farm.problem ?? undefined}>
          <span className="status-dot" aria-hidden="true" />
          {t(farm.connected ? 'farmQueue.status' : 'farmQueue.statusLost', { url: farm.queueUrl })}
        </span>
      ) : null}
      {pool && farm.queueUrl === null ? <span>{t('status.pool', { state: t(queuePaused && pool.state !== 'stopping' ? 'pool.paused' : `pool.${pool.state}`), running: pool.running.length, concurrency: pool.concurrency })}</span> : null}
      {stats ? <span>{t.plural('queue.jobsCount', stats.total)}</span> : null}
      {stats ? <span>{t('status.success', { rate: formatPercent(stats.successRate24h, t.locale) })}</span> : null}
      <span className="spacer" />
      <span className="muted">{t('status.hint')}</span>
    </footer>
  )
}

function ConnectionBanner() {
  const t = useT()
  const info = useStudio((s) => s.connection)
  if (info.state === 'open' || (info.state === 'connecting' && info.retryInMs === null)) return null
  return (
    <div className="banner warn" role="status" data-testid="reconnecting">
      <span className="spinner" aria-hidden="true" />
      {info.state === 'reconnecting' ? t('conn.banner') : t('conn.connectingBanner')}
      {info.retryInMs !== null ? <span className="muted"> · {t('conn.retryIn', { s: Math.ceil(info.retryInMs / 1000) })}</span> : null}
    </div>
  )
}

/** The window on a farm's queue: which farm, who runs its jobs, and whether its link is up. */
function FarmQueueBanner() {
  const t = useT()
  const farm = useStudio((s) => s.farmQueue)
  const [seen, setSeen] = useState(false)
  useEffect(() => {
    if (farm.connected) setSeen(true)
  }, [farm.connected])
  if (farm.queueUrl === null) return null
  if (!farm.connected) {
    return (
      <div className="banner warn" role="status" data-testid="farm-lost" title={farm.problem ?? undefined}>
        <span className="spinner" aria-hidden="true" />
        {t(seen ? 'farmQueue.lost' : 'farmQueue.connecting', { url: farm.queueUrl })}
        {/* The engine's own words (English, no password): "not initialised", "authentication failed"… */}
        {farm.problem ? <span className="muted"> · {farm.problem}</span> : null}
      </div>
    )
  }
  return (
    <div className="banner info" role="status" data-testid="farm-banner">
      <Icon name="queue" size={14} /> {t('farmQueue.banner', { url: farm.queueUrl, command: 'studio farm worker' })}
      {farm.chosenBy === 'flag' ? <span className="muted"> {t('farmQueue.byFlag')}</span> : null}
    </div>
  )
}

function Unauthorized() {
  const t = useT()
  return (
    <div className="unauthorized" role="alert" data-testid="unauthorized">
      <Icon name="alert" size={28} />
      <h1>{t('conn.unauthorizedTitle')}</h1>
      <p>{t('conn.unauthorized')}</p>
    </div>
  )
}

function Notices() {
  const notices = useStudio((s) => s.notices)
  return (
    <div className="notices" aria-live="assertive" aria-relevant="additions">
      {notices.map((n) => (
        <NoticeItem key={n.id} notice={n} />
      ))}
    </div>
  )
}

/** Each notice leaves on its own clock (errors stay longer); hovering does not matter, closing does. */
function NoticeItem({ notice: n }: { notice: Notice }) {
  const t = useT()
  useEffect(() => {
    const timer = setTimeout(() => getStudio().dismissNotice(n.id), n.kind === 'error' || n.action ? 8_000 : 3_000)
    return () => clearTimeout(timer)
  }, [n.id, n.kind, n.action])
  return (
    <div className={`notice notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'} data-testid={`notice-${n.kind}`}>
      <Icon name={n.kind === 'error' ? 'alert' : n.kind === 'success' ? 'check' : 'bolt'} size={14} />
      <span>{n.text}</span>
      {n.action ? (
        <button
          type="button"
          className="button button-ghost notice-action"
          onClick={() => {
            n.action!.run()
            getStudio().dismissNotice(n.id)
          }}
          data-testid="notice-action"
        >
          {n.action.label}
        </button>
      ) : null}
      <button type="button" className="icon-button" aria-label={t('common.close')} onClick={() => getStudio().dismissNotice(n.id)}>
        <Icon name="close" size={12} />
      </button>
    </div>
  )
}

/** Screen readers hear when a job finishes or fails, not every progress tick. */
function Announcer() {
  const t = useT()
  const a = useStudio((s) => s.announcement)
  return (
    <div className="sr-only" aria-live="polite" role="status">
      {a ? t(a.status === 'completed' ? 'announce.completed' : 'announce.failed', { title: a.title }) : ''}
    </div>
  )
}

function DropOverlay() {
  const t = useT()
  const view = useStudio((s) => s.view)
  return (
    <div className="drop-overlay" aria-hidden="true">
      <div>
        <Icon name="upload" size={32} />
        <p>{view === 'projects' ? t('drop.media') : t('drop.sheet')}</p>
      </div>
    </div>
  )
}

function useTheme(): void {
  const theme = useStudio((s) => s.theme)
  useEffect(() => {
    const media = window.matchMedia?.('(prefers-color-scheme: dark)')
    const apply = () => {
      const resolved = theme === 'system' ? (media?.matches ? 'dark' : 'light') : theme
      document.documentElement.dataset.theme = resolved
      document.documentElement.style.colorScheme = resolved
    }
    apply()
    media?.addEventListener?.('change', apply)
    return () => media?.removeEventListener?.('change', apply)
  }, [theme])
  const locale = useStudio((s) => s.locale)
  useEffect(() => {
    document.documentElement.lang = locale
  }, [locale])
}

function useGlobalShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = getStudio()
      if ((e.ctrlKey || e.metaKey) && /^[1-6]$/.test(e.key)) {
        e.preventDefault()
        s.setView(VIEWS[Number(e.key) - 1]!.id)
        return
      }
      if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return
      if (e.key === '?') {
        e.preventDefault()
        s.setShortcutsOpen(!s.shortcutsOpen)
      } else if ((e.key === 'q' || e.key === 'Q') && s.view === 'projects') {
        s.toggleQueueDock()
      } else if (e.key === 'Escape' && s.shortcutsOpen) {
        s.setShortcutsOpen(false)
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
}

/** Files dropped anywhere: spreadsheets start a batch; media go to the open project (its view handles them). */
function useGlobalDrop(onSheetProject: (projectId: string | null) => void): boolean {
  const [dragging, setDragging] = useState(false)
  const t = useT()
  useEffect(() => {
    let depth = 0
    const hasFiles = (e: DragEvent) => Boolean(e.dataTransfer?.types.includes('Files'))
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return
      depth++
      setDragging(true)
    }
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return
      depth = Math.max(0, depth - 1)
      if (depth === 0) setDragging(false)
    }
    const over = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault()
    }
    const drop = (e: DragEvent) => {
      depth = 0
      setDragging(false)
      if (!hasFiles(e)) return
      e.preventDefault()
      const files = [...(e.dataTransfer?.files ?? [])]
      const sheet = files.find((f) => SHEET_EXTENSIONS.test(f.name))
      if (sheet) {
        const s = getStudio()
        onSheetProject(s.view === 'projects' ? (shownProject(s.projects, s.selectedProjectId)?.id ?? null) : null)
        void openSheet(sheet)
      } else if (files.length) getStudio().notify('info', t('drop.mediaHint'))
    }
    // A view that takes the drop itself (the project workspace) stops it before it reaches the
    // window: the overlay is cleared on the way down, or it would stay over the app.
    const landed = () => {
      depth = 0
      setDragging(false)
    }
    window.addEventListener('dragenter', enter)
    window.addEventListener('dragleave', leave)
    window.addEventListener('dragover', over)
    window.addEventListener('drop', drop)
    window.addEventListener('drop', landed, true)
    window.addEventListener('dragend', landed, true)
    return () => {
      window.removeEventListener('drop', landed, true)
      window.removeEventListener('dragend', landed, true)
      window.removeEventListener('dragenter', enter)
      window.removeEventListener('dragleave', leave)
      window.removeEventListener('dragover', over)
      window.removeEventListener('drop', drop)
    }
  }, [t, onSheetProject])
  return dragging
}
