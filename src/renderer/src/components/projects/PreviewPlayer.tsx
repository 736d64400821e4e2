import { useEffect, useMemo, useRef, useState } from 'react'
import type { RenderPlanView, StoryboardRenderView, StoryboardView } from '../../../../shared/storyboard'
import { useApi, useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { getStudio, useStudio } from '../../store'
import { Button, IconButton } from '../common/controls'
import { formatDateTime, formatDuration } from '../common/format'
import { useDebouncedEffect } from '../common/hooks'
import { exportFiles, inDesktopApp } from './export-files'
import { renderStoryboard, settled } from './storyboard-actions'
import { cardElement, planSummary, sceneIndexAt, sceneStarts } from './storyboard-logic'

/** The render the player shows first: the newest finished one (full render or draft). */
export function latestPlayable(renders: readonly StoryboardRenderView[]): StoryboardRenderView | undefined {
  return renders.find((r) => r.status === 'completed' && r.video)
}

/**
 * The storyboard's picture: the latest render or draft with a scene scrubber (a click jumps to a
 * scene and highlights its card), what a render would do before it starts, its progress, and the
 * versions with their files.
 */
export function PreviewPlayer({ storyboard }: { storyboard: StoryboardView }) {
  const t = useT()
  const api = useApi()
  const [chosen, setChosen] = useState<string | null>(null)
  const video = useRef<HTMLVideoElement>(null)
  const activeId = useStudio((s) => s.activeSceneId)
  const shown = storyboard.renders.find((r) => r.jobId === chosen && r.video) ?? latestPlayable(storyboard.renders)
  // A one-scene preview plays that scene alone: its scrubber has one part.
  const scenes = useMemo(() => (shown?.sceneId ? storyboard.scenes.filter((s) => s.id === shown.sceneId) : storyboard.scenes), [shown?.sceneId, storyboard.scenes])
  const { starts, total } = useMemo(() => sceneStarts(scenes), [scenes])

  // A render that just finished is shown at once (the user asked for it).
  const newest = latestPlayable(storyboard.renders)?.jobId
  useEffect(() => setChosen(null), [newest])

  const onTime = () => {
    const el = video.current
    if (!el || !scenes.length) return
    const i = sceneIndexAt(starts, el.currentTime * (total / (el.duration || total || 1)))
    const id = scenes[i]?.id
    if (id && id !== getStudio().activeSceneId) getStudio().setActiveScene(id)
  }
  const jump = (i: number) => {
    const id = scenes[i]!.id
    getStudio().setActiveScene(id)
    const el = video.current
    if (el) {
      // Scene times are in the storyboard's seconds; the file's own length corrects any drift.
      const scale = el.duration && total ? el.duration / total : 1
      el.currentTime = starts[i]! * scale + 0.01
    }
    cardElement(id)?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' })
  }

  return (
    <section className="preview-player" aria-label={t('storyboard.player')} data-testid="preview-player">
      <div className={`player-frame format-${storyboard.settings.format.replace(':', 'x')}`}>
        {shown?.video ? (
          <video
            ref={video}
            key={shown.jobId}
            src={api.fileUrl(shown.video)}
            poster={shown.poster ? api.fileUrl(shown.poster) : undefined}
            controls
            preload="metadata"
            onTimeUpdate={onTime}
            aria-label={t('storyboard.player')}
            data-testid="player-video"
            data-job-id={shown.jobId}
          />
        ) : (
          <div className="player-empty muted">{t('storyboard.playerEmpty')}</div>
        )}
      </div>
      {scenes.length && total > 0 ? (
        <div className="scrubber" role="group" aria-label={t('storyboard.scrubber')} data-testid="scrubber">
          {scenes.map((s, i) => (
            <button
              key={s.id}
              type="button"
              className={`scrubber-scene${s.id === activeId ? ' active' : ''}`}
              style={{ flexGrow: Math.max(0.2, (starts[i + 1] ?? total) - starts[i]!) }}
              onClick={() => jump(i)}
              aria-label={t('storyboard.jumpTo', { n: s.index + 1 })}
              aria-current={s.id === activeId ? 'true' : undefined}
              data-testid="scrubber-scene"
            >
              {s.index + 1}
            </button>
          ))}
        </div>
      ) : null}
      <RenderBar storyboard={storyboard} />
      <Versions storyboard={storyboard} shownId={shown?.jobId ?? null} onShow={setChosen} />
    </section>
  )
}

/** "2 of 6 scenes changed · ~14 s · $0.00", then Render; while it runs, its progress. */
function RenderBar({ storyboard }: { storyboard: StoryboardView }) {
  const t = useT()
  const call = useCall()
  const [plan, setPlan] = useState<RenderPlanView | null>(null)
  const running = storyboard.renders.find((r) => r.status === 'processing' || r.status === 'pending')
  const job = useStudio((s) => (running ? s.jobs[running.jobId] : undefined))
  const live = useStudio((s) => (running ? s.live[running.jobId] : undefined))
  const [busy, setBusy] = useState(false)

  useDebouncedEffect(
    () => {
      let live = true
      void settled(storyboard.id).then(() =>
        call('storyboards/plan', { id: storyboard.id }, { quiet: true }).then((r) => {
          if (live) setPlan(r.ok ? r.value : null)
        })
      )
      return () => {
        live = false
      }
    },
    [storyboard.id, storyboard.revision, storyboard.renders.length, running?.status],
    250
  )

  const start = async (draft: boolean) => {
    setBusy(true)
    try {
      await settled(storyboard.id)
      await renderStoryboard(call, storyboard.id, { draft })
    } finally {
      setBusy(false)
    }
  }
  const status = job?.status ?? running?.status
  const progress = live?.progress ?? job?.progress ?? running?.progress ?? 0

  return (
    <div className="render-bar" data-testid="render-bar">
      {running ? (
        <div className="render-running" data-testid="render-progress">
          <progress max={100} value={Math.floor(progress)} aria-label={t('storyboard.rendering')} />
          <span>
            {running.draft ? t('storyboard.renderingDraft') : t('storyboard.rendering')} · {t.number(Math.floor(progress) / 100, { style: 'percent' })}{live?.message ? ` · ${live.message}` : ''}
          </span>
          {status === 'pending' ? <span className="muted small">{t('storyboard.queued')}</span> : null}
        </div>
      ) : (
        <span className="render-plan" data-testid="render-plan">
          {plan ? planSummary(plan, t) : storyboard.scenes.length ? '' : t('storyboard.noScenes')}
        </span>
      )}
      <span className="spacer" />
      <Button icon="play" disabled={busy || !storyboard.scenes.length} onClick={() => void start(true)} testId="render-draft" title={t('storyboard.draftHint')}>
        {t('storyboard.draft')}
      </Button>
      <Button icon="film" kind="primary" disabled={busy || !storyboard.scenes.length || Boolean(running && !running.draft)} onClick={() => void start(false)} testId="render">
        {t('storyboard.render')}
      </Button>
    </div>
  )
}

function Versions({ storyboard, shownId, onShow }: { storyboard: StoryboardView; shownId: string | null; onShow: (jobId: string) => void }) {
  const t = useT()
  const api = useApi()
  const call = useCall()
  const desktop = inDesktopApp()
  if (!storyboard.renders.length) return null
  const sceneNumber = (id: string | null) => (id ? (storyboard.scenes.find((s) => s.id === id)?.index ?? -1) + 1 : 0)
  return (
    <details className="versions" open={storyboard.renders.length < 4}>
      <summary>{t.plural('storyboard.versions', storyboard.renders.length)}</summary>
      <ol className="version-list">
        {storyboard.renders.map((r) => (
          <li key={r.jobId} className={`version${r.jobId === shownId ? ' shown' : ''}`} data-testid="render-version" data-status={r.status}>
            <span className="version-name">
              {r.sceneId ? t('storyboard.version.scene', { n: sceneNumber(r.sceneId) }) : r.draft ? t('storyboard.version.draft') : t('storyboard.version.full', { rev: r.revision })}
            </span>
            <span className={`status status-${r.status}`}>
              <span className="status-dot" aria-hidden="true" />
              {t(`status.${r.status}`)}
            </span>
            <span className="muted small">{formatDateTime(r.completedAt ?? r.createdAt, t.locale)}</span>
            {r.durationSec !== null ? <span className="muted small">{formatDuration(r.durationSec * 1000, t.locale)}</span> : null}
            {r.status === 'completed' ? (
              <span className="muted small" data-testid="version-reuse">
                {t('storyboard.version.steps', { run: r.stepsRun, reused: r.stepsReused })}
              </span>
            ) : null}
            {r.error ? <span className="error small">{r.error}</span> : null}
            <span className="spacer" />
            {r.video && r.jobId !== shownId ? <IconButton icon="play" label={t('storyboard.version.play')} onClick={() => onShow(r.jobId)} testId="version-play" /> : null}
            <IconButton
              icon="jobs"
              label={t('storyboard.version.job')}
              testId="version-job"
              onClick={() => {
                getStudio().selectJob(r.jobId)
                getStudio().setView('jobs')
              }}
            />
            {r.video && desktop ? <IconButton icon="projects" label={t('detail.showInFolder')} onClick={() => void call('system/reveal', { path: r.video! })} testId="version-reveal" /> : null}
            {r.video ? (
              <IconButton icon="download" label={t('storyboard.export')} onClick={() => void exportFiles(api, [r.video!, ...(r.subtitles ? [r.subtitles] : [])])} testId="version-export" />
            ) : null}
          </li>
        ))}
      </ol>
    </details>
  )
}
