import { useEffect, useRef, useState } from 'react'
import type { JobDetail, JsonValue } from '../../../../shared/types'
import { useApi, useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { getStudio, useStudio } from '../../store'
import { Button } from '../common/controls'
import { fileName, mediaKind } from '../common/format'
import { exportFiles, inDesktopApp } from '../projects/export-files'
import { relativeToData } from '../projects/storyboard-logic'

export interface JobResult {
  kind: 'video' | 'image' | 'audio' | 'text'
  /** The file shown (absent for a text result held in the job's data). */
  path: string | null
  text: string | null
  /** Files that go with it when exported (subtitles next to a video). */
  companions: string[]
}

const ABSOLUTE = /^(\/|[A-Za-z]:\\)/

function strings(value: JsonValue | null | undefined, out: [string, string][] = [], key = ''): [string, string][] {
  if (typeof value === 'string') out.push([key, value])
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out, key))
  else if (value && typeof value === 'object') Object.entries(value).forEach(([k, v]) => strings(v, out, k))
  return out
}

/** What a finished job made, the way a person wants to see it first: a video, else a picture, a sound, a text. */
export function jobResult(job: Pick<JobDetail, 'result' | 'steps'>): JobResult | null {
  // The steps' own files first, newest step first: a render's are the job's copies (jobs/<id>/…/video.mp4),
  // where its result may name the shared cache's file (cache/assemble-<hash>-video.mp4).
  const found: [string, string][] = []
  for (const s of [...job.steps].reverse()) for (const p of Object.values(s.files)) found.push(['', p])
  strings(job.result, found)
  const files = found.map(([, v]) => v).filter((v) => ABSOLUTE.test(v))
  for (const kind of ['video', 'image', 'audio'] as const) {
    const path = files.find((p) => mediaKind(p) === kind)
    if (path) return { kind, path, text: null, companions: kind === 'video' ? files.filter((p) => /\.(srt|vtt)$/i.test(p)).slice(0, 1) : [] }
  }
  const textFile = files.find((p) => /\.(txt|md)$/i.test(p))
  const inline = found.find(([k, v]) => !ABSOLUTE.test(v) && (['text', 'script', 'adapted', 'caption', 'summary'].includes(k) || v.length > 120))
  if (inline) return { kind: 'text', path: textFile ?? null, text: inline[1], companions: [] }
  if (textFile) return { kind: 'text', path: textFile, text: null, companions: [] }
  return null
}

/** The result, large, with what one does with it: open its folder, export it, open its storyboard, retry. */
export function ResultView({ job, dataDir, onRetry }: { job: JobDetail; dataDir: string | null; onRetry: (() => void) | null }) {
  const t = useT()
  const api = useApi()
  const call = useCall()
  const result = jobResult(job)
  const storyboardId = useStudio((s) => s.renderJobs[job.id] ?? (typeof job.payload.storyboardId === 'string' ? job.payload.storyboardId : null))
  const storyboardProject = useStudio((s) => (storyboardId ? s.storyboards[storyboardId]?.projectId ?? job.projectId : null))
  const desktop = inDesktopApp()
  const openStoryboard = () => {
    const s = getStudio()
    s.selectProject(storyboardProject!)
    s.openStoryboard(storyboardProject!, storyboardId!)
    s.setView('projects')
  }
  return (
    <section className="result-hero" aria-label={t('result.title')} data-testid="job-result">
      {result === null ? <p className="muted small">{t('result.noResult')}</p> : null}
      {result?.kind === 'video' ? <video src={api.fileUrl(result.path!)} controls preload="metadata" aria-label={fileName(result.path!)} data-testid="result-video" /> : null}
      {result?.kind === 'image' ? <img src={api.fileUrl(result.path!)} alt={fileName(result.path!)} data-testid="result-image" /> : null}
      {result?.kind === 'audio' ? <AudioResult url={api.fileUrl(result.path!)} name={fileName(result.path!)} /> : null}
      {result?.kind === 'text' ? <TextResult text={result.text} url={result.path ? api.fileUrl(result.path) : null} /> : null}
      {result?.path ? (
        <span className="muted small path-rel" title={result.path} data-testid="result-path">
          {relativeToData(result.path, dataDir)}
        </span>
      ) : null}
      <div className="result-actions">
        {result?.path && desktop ? (
          <Button icon="projects" onClick={() => void call('system/reveal', { path: result.path! })} testId="result-reveal">
            {t('result.openFolder')}
          </Button>
        ) : null}
        {result?.path ? (
          <Button icon="download" onClick={() => void exportFiles(api, [result.path!, ...result.companions])} testId="result-export">
            {t('result.export')}
          </Button>
        ) : null}
        {storyboardId && storyboardProject ? (
          <Button icon="film" onClick={openStoryboard} testId="result-storyboard">
            {t('result.openStoryboard')}
          </Button>
        ) : null}
        {onRetry ? (
          <Button icon="retry" onClick={onRetry} testId="result-retry">
            {t('queue.retry')}
          </Button>
        ) : null}
      </div>
    </section>
  )
}

function TextResult({ text, url }: { text: string | null; url: string | null }) {
  const t = useT()
  const [body, setBody] = useState(text)
  const [copied, setCopied] = useState(false)
  useEffect(() => {
    if (text !== null || !url) return
    let live = true
    fetch(url, { cache: 'no-store' })
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(String(r.status)))))
      .then((b) => live && setBody(b))
      .catch(() => undefined)
    return () => {
      live = false
    }
  }, [text, url])
  if (body === null) return null
  return (
    <div>
      <div className="result-text" data-testid="result-text">
        {body}
      </div>
      <Button
        icon={copied ? 'check' : 'more'}
        onClick={() => void navigator.clipboard?.writeText(body).then(() => setCopied(true), () => undefined)}
        testId="result-copy"
      >
        {copied ? t('result.copied') : t('result.copy')}
      </Button>
    </div>
  )
}

/** A player under the sound's waveform (peaks drawn once the file is decoded; none if it cannot be). */
function AudioResult({ url, name }: { url: string; name: string }) {
  const canvas = useRef<HTMLCanvasElement>(null)
  useEffect(() => {
    const Ctx = (window as unknown as { AudioContext?: typeof AudioContext }).AudioContext
    if (!Ctx || !canvas.current) return
    let live = true
    const ctx = new Ctx()
    fetch(url)
      .then((r) => r.arrayBuffer())
      .then((b) => ctx.decodeAudioData(b))
      .then((audio) => {
        const c = canvas.current
        if (!live || !c) return
        const g = c.getContext('2d')
        if (!g) return
        const data = audio.getChannelData(0)
        const w = (c.width = c.clientWidth || 600)
        const h = (c.height = 64)
        const step = Math.max(1, Math.floor(data.length / w))
        g.fillStyle = getComputedStyle(c).color || '#5592ff'
        for (let x = 0; x < w; x++) {
          let peak = 0
          for (let i = x * step; i < (x + 1) * step && i < data.length; i++) peak = Math.max(peak, Math.abs(data[i]!))
          const bar = Math.max(1, peak * h)
          g.fillRect(x, (h - bar) / 2, 1, bar)
        }
      })
      .catch(() => undefined)
      .finally(() => void ctx.close().catch(() => undefined))
    return () => {
      live = false
    }
  }, [url])
  return (
    <div data-testid="result-audio">
      <canvas ref={canvas} className="waveform" aria-hidden="true" />
      <audio src={url} controls preload="metadata" aria-label={name} />
    </div>
  )
}

/**
 * A step's data without what is already shown as its files (no path printed twice), with the
 * remaining data-folder paths made relative.
 */
export function stepOutputShown(output: JsonValue | null, files: Record<string, string>, dataDir: string | null): JsonValue | null {
  const shown = new Set(Object.values(files))
  const clean = (v: JsonValue): JsonValue | undefined => {
    if (typeof v === 'string') return shown.has(v) ? undefined : ABSOLUTE.test(v) ? relativeToData(v, dataDir) : v
    if (Array.isArray(v)) return v.map(clean).filter((x): x is JsonValue => x !== undefined)
    if (v && typeof v === 'object') {
      const out: Record<string, JsonValue> = {}
      for (const [k, x] of Object.entries(v)) {
        const c = clean(x)
        if (c !== undefined) out[k] = c
      }
      return Object.keys(out).length ? out : undefined
    }
    return v
  }
  if (output === null) return null
  return clean(output) ?? null
}
