import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { AssetView, JsonValue } from '../../../../shared/types'
import { useApi, useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { getStudio, useStudio } from '../../store'
import { displayStatus } from '../../store/order'
import { Button, IconButton, StatusBadge, Unavailable } from '../common/controls'
import { mediaKind } from '../common/format'
import { isTyping, useNow } from '../common/hooks'
import { TaskQueuePanel } from '../queue/TaskQueuePanel'
import { MediaFile } from '../tracker/Media'
import { Composer } from './Composer'
import { MediaBin } from './MediaBin'
import { PreviewPlayer } from './PreviewPlayer'
import { SceneInspector } from './SceneInspector'
import { loadStoryboard, loadStoryboardList, undoStoryboard } from './storyboard-actions'
import { undoChord } from './storyboard-logic'
import { StoryboardStrip } from './StoryboardStrip'
import { importMedia, isMediaFile } from './media-import'
import './workspace.css'
import { percentText, shownProgress } from '../../../../shared/progress'

// StoryboardStrip imports these too: they live apart so that the two components do not import each other.
export { importMedia, isMediaFile, MAX_UPLOAD_BYTES } from './media-import'

const EMPTY: AssetView[] = []

/**
 * Assets the video pipeline can show. Its visuals step takes pictures or a background clip and
 * treats anything that is not a video as an image, so an audio file there breaks the render; the
 * soundtrack is the narration (and music) the pipeline makes itself.
 */
export function isVisual(asset: AssetView): boolean {
  return asset.kind === 'image' || asset.kind === 'video'
}

/** Paths of media files found in a job's result (any depth). */
export function mediaPaths(value: JsonValue | null, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (/^(\/|[A-Za-z]:\\)/.test(value) && mediaKind(value) !== 'other' && mediaKind(value) !== 'text') out.push(value)
  } else if (Array.isArray(value)) value.forEach((v) => mediaPaths(v, out))
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => mediaPaths(v, out))
  return out
}

/** The project the editor shows: the selected one, else the first (nothing selected yet). */
export function shownProject<P extends { id: string }>(projects: readonly P[], selectedId: string | null): P | undefined {
  return projects.find((p) => p.id === selectedId) ?? projects[0]
}

/** Projects with their assets, jobs and outputs; media dropped here become assets pipelines can use. */
export function ProjectEditor() {
  const t = useT()
  const call = useCall()
  const unavailable = useStudio((s) => s.unavailable.projects ?? s.unavailable.assets)
  const projects = useStudio((s) => s.projects)
  const selectedId = useStudio((s) => s.selectedProjectId)
  const dockOpen = useStudio((s) => s.queueDockOpen)
  const project = shownProject(projects, selectedId)
  const [name, setName] = useState('')
  // Counts from what this window knows live (jobs arrive by events; assets once a project is opened).
  const allJobs = useStudio((s) => s.jobs)
  const jobCounts = useMemo(() => {
    const counts: Record<string, number> = {}
    for (const j of Object.values(allJobs)) counts[j.projectId] = (counts[j.projectId] ?? 0) + 1
    return counts
  }, [allJobs])
  const assetCounts = useStudio(useShallow((s) => Object.fromEntries(Object.entries(s.assets).map(([p, list]) => [p, list.length]))))

  const create = async (e: React.FormEvent) => {
    e.preventDefault()
    const r = await call('projects/create', { name })
    if (r.ok) {
      getStudio().upsertProject(r.value)
      getStudio().selectProject(r.value.id)
      setName('')
    }
  }

  return (
    <div className={`editor${dockOpen ? ' with-dock' : ''}`} data-testid="projects">
      <section className="panel project-list" aria-labelledby="projects-heading">
        <header className="panel-header">
          <h2 id="projects-heading">{t('projects.title')}</h2>
        </header>
        {unavailable ? <Unavailable message={unavailable} /> : null}
        <form className="inline-form pad" onSubmit={create}>
          <input aria-label={t('projects.newName')} placeholder={t('projects.newName')} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} data-testid="project-name" />
          <Button type="submit" icon="plus" disabled={!name.trim()}>
            {t('projects.create')}
          </Button>
        </form>
        <ul className="plain-list">
          {projects.map((p) => (
            <li key={p.id}>
              <button type="button" className={`batch-item${project?.id === p.id ? ' selected' : ''}`} onClick={() => getStudio().selectProject(p.id)} aria-current={project?.id === p.id ? 'true' : undefined}>
                <strong>{p.name}</strong>
                <span className="muted small">
                  {t.plural('queue.jobsCount', jobCounts[p.id] ?? p.jobCount)} · {t.plural('projects.assetsCount', assetCounts[p.id] ?? p.assetCount)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section className="panel project-main">{project ? <ProjectView projectId={project.id} name={project.name} /> : <div className="empty">{t('projects.none')}</div>}</section>
      {dockOpen ? (
        <aside className="dock" aria-label={t('queue.title')}>
          <TaskQueuePanel compact projectId={project?.id} onClose={() => getStudio().toggleQueueDock(false)} />
        </aside>
      ) : null}
    </div>
  )
}

function ProjectView({ projectId, name }: { projectId: string; name: string }) {
  const t = useT()
  const api = useApi()
  const call = useCall()
  const now = useNow()
  const assets = useStudio((s) => s.assets[projectId] ?? EMPTY)
  const dockOpen = useStudio((s) => s.queueDockOpen)
  const order = useStudio((s) => s.order)
  const jobs = useStudio((s) => s.jobs)
  const jobIds = useMemo(() => order.filter((id) => jobs[id]!.projectId === projectId).slice(0, 200), [order, jobs, projectId])
  const list = useStudio((s) => s.storyboardLists[projectId])
  const openId = useStudio((s) => s.openStoryboards[projectId] ?? s.storyboardLists[projectId]?.[0]?.id ?? null)
  const storyboard = useStudio((s) => (openId ? s.storyboards[openId] : undefined))
  const stale = useStudio((s) => (openId ? s.storyboardStale[openId] : undefined))
  const unavailable = useStudio((s) => s.unavailable.storyboards)
  const [picked, setPicked] = useState<Set<string>>(new Set())
  const [composer, setComposer] = useState<string[] | null>(null)
  const [over, setOver] = useState(false)
  const input = useRef<HTMLInputElement>(null)

  useEffect(() => {
    const askedAt = Date.now()
    void call('assets/list', { projectId }, { quiet: true }).then((r) => r.ok && getStudio().setAssets(projectId, r.value, askedAt))
    void loadStoryboardList(call, projectId)
    setPicked(new Set())
  }, [projectId, call])

  // The open storyboard is fetched when opened and again when another window or process edited it.
  useEffect(() => {
    if (openId) void loadStoryboard(call, openId)
  }, [openId, stale, call])

  // Pictures picked for a new video are spent once it is made (or another storyboard is opened).
  useEffect(() => setPicked(new Set()), [openId])

  // A render's status is its job's: when the queue says one moved on (started, finished, failed),
  // the storyboard is fetched again for the render's files and the scenes' marks.
  const viewStatuses = storyboard?.renders.map((r) => r.status).join() ?? ''
  const jobStatuses = useStudio((s) => storyboard?.renders.map((r) => s.jobs[r.jobId]?.status ?? r.status).join() ?? '')
  useEffect(() => {
    if (openId && jobStatuses !== viewStatuses) void loadStoryboard(call, openId)
  }, [openId, jobStatuses, viewStatuses, call])

  const onFiles = async (files: File[]) => {
    const { media, imported } = await importMedia(api, projectId, files)
    if (imported) getStudio().notify('success', t.plural('projects.imported', imported))
    else if (files.length && !media) getStudio().notify('info', t('projects.notMedia'))
  }

  const onPick = useCallback((id: string, on: boolean) => {
    setPicked((before) => {
      const next = new Set(before)
      if (on) next.add(id)
      else next.delete(id)
      return next
    })
  }, [])

  const pickedVisuals = assets.filter((a) => picked.has(a.id) && isVisual(a)).map((a) => a.id)

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (!storyboard || isTyping(e.target)) return
    const chord = undoChord(e.nativeEvent)
    if (!chord) return
    e.preventDefault()
    void undoStoryboard(call, storyboard.id, chord === 'redo')
  }

  return (
    <div
      className={`project-view${over ? ' drag-over' : ''}`}
      onKeyDown={onKeyDown}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return
        e.preventDefault()
        e.stopPropagation()
        setOver(true)
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node)) setOver(false)
      }}
      onDrop={(e) => {
        const media = [...e.dataTransfer.files].filter(isMediaFile)
        setOver(false)
        // Sheets dropped here still become batches (the app-wide handler takes them).
        if (!media.length) return
        e.preventDefault()
        e.stopPropagation()
        void onFiles(media)
      }}
      data-testid="project-view"
    >
      <header className="detail-header">
        <div>
          <h2>{name}</h2>
          <span className="muted small">
            {t.plural('projects.assetsCount', assets.length)}
            {list ? ` · ${t.plural('storyboard.count', list.length)}` : ''}
          </span>
        </div>
        <div className="toolbar wrap">
          {list && list.length > 0 ? (
            <select
              aria-label={t('storyboard.pick')}
              value={openId ?? ''}
              onChange={(e) => getStudio().openStoryboard(projectId, e.target.value || null)}
              data-testid="storyboard-picker"
            >
              {list.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.title} · {t.plural('storyboard.scenes', b.sceneCount)}
                </option>
              ))}
            </select>
          ) : null}
          {storyboard ? (
            <>
              <IconButton icon="retry" label={t('storyboard.undo')} disabledReason={storyboard.canUndo ? null : t('storyboard.nothingToUndo')} onClick={() => void undoStoryboard(call, storyboard.id)} testId="storyboard-undo" className="flip" />
              <IconButton icon="retry" label={t('storyboard.redo')} disabledReason={storyboard.canRedo ? null : t('storyboard.nothingToRedo')} onClick={() => void undoStoryboard(call, storyboard.id, true)} testId="storyboard-redo" />
            </>
          ) : null}
          <Button icon="upload" onClick={() => input.current?.click()}>
            {t('projects.addMedia')}
          </Button>
          <input
            ref={input}
            type="file"
            multiple
            accept="image/*,audio/*,video/*"
            hidden
            data-testid="media-input"
            onChange={(e) => {
              void onFiles([...(e.target.files ?? [])])
              e.target.value = ''
            }}
          />
          <Button icon="film" kind="primary" onClick={() => setComposer(pickedVisuals)} title={t('projects.newVideoHint')} testId="new-video">
            {pickedVisuals.length ? t.plural('projects.newVideo', pickedVisuals.length) : t('storyboard.newVideo')}
          </Button>
          <Button icon="panel" onClick={() => getStudio().toggleQueueDock()} testId="toggle-dock">
            {dockOpen ? t('projects.hideQueue') : t('projects.showQueue')}
          </Button>
        </div>
      </header>

      <div className="workspace">
        <MediaBin assets={assets} picked={picked} onPick={onPick} projectId={projectId} />
        <div className="workspace-main">
          {unavailable ? <Unavailable message={unavailable} /> : null}
          {storyboard ? (
            <>
              <PreviewPlayer storyboard={storyboard} />
              <StoryboardStrip storyboard={storyboard} />
            </>
          ) : !unavailable ? (
            <div className="empty storyboard-empty" data-testid="storyboard-empty">
              <p>{list ? t('storyboard.none') : t('common.loading')}</p>
              <Button icon="film" kind="primary" onClick={() => setComposer(pickedVisuals)} testId="new-video-empty">
                {t('storyboard.newVideo')}
              </Button>
            </div>
          ) : null}
        </div>
        {storyboard ? (
          <aside className="workspace-side">
            <SceneInspector storyboard={storyboard} />
          </aside>
        ) : null}
      </div>

      <details className="detail-section" open={!storyboard}>
        <summary>
          <h3>{t('projects.jobs')}</h3>
        </summary>
        {jobIds.length === 0 ? <p className="muted small">{t('projects.noJobs')}</p> : null}
        <ul className="project-jobs">
          {jobIds.map((id) => (
            <ProjectJob key={id} id={id} now={now} />
          ))}
        </ul>
      </details>
      {composer ? <Composer projectId={projectId} assetIds={composer} onClose={() => setComposer(null)} /> : null}
    </div>
  )
}

function ProjectJob({ id, now }: { id: string; now: number }) {
  const job = useStudio((s) => s.jobs[id])
  const progress = useStudio((s) => s.live[id]?.progress)
  if (!job) return null
  const outputs = job.status === 'completed' ? mediaPaths(job.result).slice(0, 4) : []
  return (
    <li className="project-job">
      <div className="project-job-head">
        <StatusBadge status={displayStatus(job, now)} />
        <button type="button" className="link" onClick={() => (getStudio().selectJob(id), getStudio().setView('jobs'))}>
          {job.title}
        </button>
        <span className="muted small">
          {job.type} · {percentText(shownProgress(job.progress, progress))}
        </span>
      </div>
      {outputs.length ? (
        <div className="files">
          {outputs.map((p) => (
            <MediaFile key={p} path={p} />
          ))}
        </div>
      ) : null}
    </li>
  )
}
