import { useEffect, useMemo, useRef, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { assetKindOf } from '../../../../shared/asset-kinds'
import type { ImportDroppedResult, Result, StudioApi } from '../../../../shared/contract'
import type { AssetView, JsonValue } from '../../../../shared/types'
import { call, useApi, useCall } from '../../api/context'
import { errorText } from '../../api/error-text'
import { translate } from '../../i18n'
import { useT } from '../../i18n/use-t'
import { getStudio, useStudio } from '../../store'
import { displayStatus } from '../../store/order'
import { Button, IconButton, StatusBadge, Unavailable } from '../common/controls'
import { formatBytes, mediaKind, readAsBase64 } from '../common/format'
import { AssetCreditLine } from './AssetCreditLine'
import { useNow } from '../common/hooks'
import { Icon } from '../common/Icon'
import { TaskQueuePanel } from '../queue/TaskQueuePanel'
import { MediaFile } from '../tracker/Media'

const EMPTY: AssetView[] = []

/**
 * Assets the video pipeline can show. Its visuals step takes pictures or a background clip and
 * treats anything that is not a video as an image, so an audio file there breaks the render; the
 * soundtrack is the narration (and music) the pipeline makes itself.
 */
export function isVisual(asset: AssetView): boolean {
  return asset.kind === 'image' || asset.kind === 'video'
}

/** What a project takes as an asset: by extension, as the engine files it (shared/asset-kinds). */
export function isMediaFile(file: File): boolean {
  return assetKindOf(file.name) !== 'other'
}

/** `assets/import` carries base64 of 4 MB at most (the contract's limit, under the bridge's message cap). */
export const MAX_UPLOAD_BYTES = 4 * 1024 * 1024

/**
 * Import dropped or picked media into a project as assets; every file refused is reported to the
 * user by name. In the desktop app main copies them from disk (`importDropped`: any size, nothing
 * read here); in a browser (`studio serve`) `importDropped` streams each file to the server
 * (POST /upload, any size). Only an API without it sends small files by `assets/import`, base64.
 */
export async function importMedia(api: StudioApi, projectId: string, files: readonly File[]): Promise<{ media: number; imported: number }> {
  const media = files.filter(isMediaFile)
  if (!media.length) return { media: 0, imported: 0 }
  const s = getStudio()
  const refuse = (name: string, error: { code: string; message: string }) => {
    const text = errorText(error, s.locale)
    s.notify('error', text.includes(name) ? text : `${name}: ${text}`)
  }
  if (api.importDropped) {
    let r: Result<ImportDroppedResult>
    try {
      r = await api.importDropped(projectId, media)
    } catch (err) {
      r = { ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } }
    }
    if (!r.ok) {
      const names = media.map((f) => f.name)
      refuse(names.length > 3 ? `${names.slice(0, 3).join(', ')} (+${names.length - 3})` : names.join(', '), r.error)
      return { media: media.length, imported: 0 }
    }
    for (const asset of r.value.imported) s.upsertAsset(asset)
    for (const { name, reason } of r.value.refused) refuse(name, { code: 'bad_request', message: reason })
    return { media: media.length, imported: r.value.imported.length }
  }
  let imported = 0
  for (const file of media) {
    if (file.size > MAX_UPLOAD_BYTES) {
      s.notify('error', translate(s.locale, 'projects.tooLarge', { name: file.name }))
      continue
    }
    let contentBase64: string
    try {
      contentBase64 = await readAsBase64(file)
    } catch (err) {
      refuse(file.name, { code: 'bad_request', message: `cannot read it (${err instanceof Error ? err.message : String(err)})` })
      continue
    }
    // Quiet: the refusal is shown here, with the file's name (an `unavailable` domain is still marked).
    const r = await call(api, 'assets/import', { projectId, name: file.name, contentBase64 }, { quiet: true })
    if (r.ok) {
      s.upsertAsset(r.value)
      imported++
    } else if (r.error.code !== 'unavailable') refuse(file.name, r.error)
  }
  return { media: media.length, imported }
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
  const [picked, setPicked] = useState<Set<string>>(new Set())
  const [over, setOver] = useState(false)
  const input = useRef<HTMLInputElement>(null)

  useEffect(() => {
    const askedAt = Date.now()
    void call('assets/list', { projectId }, { quiet: true }).then((r) => r.ok && getStudio().setAssets(projectId, r.value, askedAt))
    setPicked(new Set())
  }, [projectId, call])

  const onFiles = async (files: File[]) => {
    const { media, imported } = await importMedia(api, projectId, files)
    if (imported) getStudio().notify('success', t.plural('projects.imported', imported))
    else if (files.length && !media) getStudio().notify('info', t('projects.notMedia'))
  }

  const newVideo = async () => {
    const paths = assets.filter((a) => picked.has(a.id) && isVisual(a)).map((a) => a.path)
    const r = await call('jobs/enqueue', { type: 'video', projectId, title: t('projects.videoTitle', { name }), input: { idea: t('projects.videoIdea', { name }), assets: paths } })
    if (r.ok) getStudio().notify('success', t.plural('newJob.queued', 1))
  }

  return (
    <div
      className={`project-view${over ? ' drag-over' : ''}`}
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
          <span className="muted small">{t.plural('projects.assetsCount', assets.length)}</span>
        </div>
        <div className="toolbar">
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
          <Button icon="film" kind="primary" disabled={picked.size === 0} onClick={() => void newVideo()} title={t('projects.newVideoHint')} testId="new-video">
            {t.plural('projects.newVideo', picked.size)}
          </Button>
          <Button icon="panel" onClick={() => getStudio().toggleQueueDock()} testId="toggle-dock">
            {dockOpen ? t('projects.hideQueue') : t('projects.showQueue')}
          </Button>
        </div>
      </header>

      <section className="detail-section">
        <h3>{t('projects.assets')}</h3>
        {assets.some((a) => a.kind === 'audio') ? (
          <p className="muted small" data-testid="audio-not-visual">
            {t('projects.audioNotVisual')}
          </p>
        ) : null}
        {assets.length === 0 ? (
          <div className="drop-hint big">
            <Icon name="upload" size={22} />
            <span>{t('projects.dropHint')}</span>
          </div>
        ) : (
          <ul className="asset-grid">
            {assets.map((a) => (
              <li key={a.id} className={`asset${picked.has(a.id) ? ' picked' : ''}`} data-testid="asset">
                {isVisual(a) ? (
                  <label className="asset-pick">
                    <input
                      type="checkbox"
                      checked={picked.has(a.id)}
                      onChange={(e) => {
                        const next = new Set(picked)
                        if (e.target.checked) next.add(a.id)
                        else next.delete(a.id)
                        setPicked(next)
                      }}
                    />
                    <span className="sr-only">{t('projects.pick', { name: a.name })}</span>
                  </label>
                ) : null}
                <MediaFile path={a.path} label={a.name} />
                <div className="asset-meta">
                  <span className="muted small">
                    {a.kind} · {formatBytes(a.bytes, t.locale)}
                  </span>
                  <IconButton
                    icon="trash"
                    label={t('queue.remove')}
                    className="danger"
                    onClick={() => void call('assets/remove', { id: a.id }).then((r) => r.ok && getStudio().removeAsset(a.id))}
                  />
                </div>
                <AssetCreditLine asset={a} />
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="detail-section">
        <h3>{t('projects.jobs')}</h3>
        {jobIds.length === 0 ? <p className="muted small">{t('projects.noJobs')}</p> : null}
        <ul className="project-jobs">
          {jobIds.map((id) => (
            <ProjectJob key={id} id={id} now={now} />
          ))}
        </ul>
      </section>
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
          {job.type} · {Math.floor(progress ?? job.progress)}%
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
