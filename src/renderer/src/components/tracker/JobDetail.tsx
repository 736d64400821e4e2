import { useEffect, useState } from 'react'
import type { JobDetail as JobDetailData, StepView } from '../../../../shared/types'
import { useCall } from '../../api/context'
import { stepTitle } from '../../i18n/step-title'
import { useT } from '../../i18n/use-t'
import { getStudio, useStudio } from '../../store'
import { displayStatus, isFinished } from '../../store/order'
import { Button, StatusBadge, StepBar } from '../common/controls'
import { formatDateTime, formatDuration, shortId } from '../common/format'
import { useNow } from '../common/hooks'
import { reasons, useJobActions } from '../queue/actions'
import { jobCostLabel, stepCostLabel } from './cost'
import { LogView } from './LogView'
import { MediaFile, OutputView } from './Media'
import { ResultView, stepOutputShown } from './ResultView'
import { guessDataDir } from '../projects/storyboard-logic'
import type { LiveProgress } from '../../store/types'
import { percentText, shownProgress } from '../../../../shared/progress'

const EMPTY: never[] = []

/** Seed 1's job page: inputs, each step's output (text, images, audio, video), cost, durations and the live log. */
export function JobDetail({ id }: { id: string }) {
  const t = useT()
  const call = useCall()
  const actions = useJobActions()
  const job = useStudio((s) => s.jobs[id])
  const detail = useStudio((s) => s.details[id])
  const logs = useStudio((s) => s.jobLogs[id] ?? EMPTY)
  const live = useStudio((s) => s.live[id])
  const pipeline = useStudio((s) => (job ? s.pipelines.find((p) => p.name === job.type) : undefined))
  const now = useNow()
  const [fromStep, setFromStep] = useState('')
  const updatedAt = job?.updatedAt

  // Steps change with the job: fetch the detail again on every change of the job (rare, not per tick).
  useEffect(() => {
    let live = true
    void call('jobs/get', { id }, { quiet: true }).then((r) => {
      if (live && r.ok) getStudio().setDetail(r.value)
    })
    return () => {
      live = false
    }
  }, [id, updatedAt, call])

  useEffect(() => {
    let live = true
    void call('jobs/logs', { id }, { quiet: true }).then((r) => {
      if (live && r.ok) getStudio().setJobLogs(id, r.value)
    })
    return () => {
      live = false
      getStudio().forgetJobLogs(id)
    }
  }, [id, call])

  if (!job) return <div className="empty">{t('detail.gone')}</div>
  const status = displayStatus(job, now)
  const why = reasons(t, job, -1, 0)
  const steps: StepView[] = detail?.steps ?? []
  const progress = shownProgress(job.progress, live?.progress)
  const stepIndex = steps.findIndex((s) => s.name === (live?.step ?? job.currentStep))
  const elapsed = job.actualDurationMs ?? (job.startedAt ? now - job.startedAt : null)
  const finished = isFinished(job)
  const dataDir = guessDataDir(steps.flatMap((st) => Object.values(st.files)))

  return (
    <article className="job-detail" data-testid="job-detail" aria-labelledby="job-detail-title">
      <header className="detail-header">
        <div>
          <h2 id="job-detail-title">{job.title}</h2>
          <div className="detail-meta">
            <StatusBadge status={status} title={job.waitingReason ?? job.error ?? undefined} />
            <span>{job.type}</span>
            <span className="mono" title={job.id}>
              {shortId(job.id)}
            </span>
            <span>
              {t('detail.project')}: {job.projectId}
            </span>
            <span>P{job.priority}</span>
            {job.batchId ? (
              <button
                type="button"
                className="link"
                onClick={() => {
                  getStudio().selectBatch(job.batchId)
                  getStudio().setView('batches')
                }}
              >
                {t('detail.batch')}
              </button>
            ) : null}
          </div>
        </div>
        <div className="toolbar">
          {!finished ? (
            <Button icon={job.status === 'paused' || job.pauseRequested ? 'play' : 'pause'} onClick={() => void actions.togglePause(job)}>
              {job.status === 'paused' || job.pauseRequested ? t('queue.resume') : t('queue.pause')}
            </Button>
          ) : null}
          {!finished ? (
            <Button icon="cancel" onClick={() => void actions.cancel(job)} testId="detail-cancel">
              {t('queue.cancel')}
            </Button>
          ) : null}
          {!why.retry ? (
            <Button icon="retry" kind="primary" onClick={() => void actions.retry(job)} testId="detail-retry">
              {t('queue.retry')}
            </Button>
          ) : null}
          {finished && steps.length ? (
            <span className="inline-form">
              <select aria-label={t('detail.retryFrom')} value={fromStep} onChange={(e) => setFromStep(e.target.value)} data-testid="retry-from-step">
                <option value="">{t('detail.retryFrom')}</option>
                {steps.map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.index + 1}. {stepTitle(t, job.type, s)}
                  </option>
                ))}
              </select>
              <Button icon="retry" disabled={!fromStep} onClick={() => void actions.retry(job, fromStep)} testId="retry-from">
                {t('detail.retryFromGo')}
              </Button>
            </span>
          ) : null}
          <Button icon="trash" kind="danger" onClick={() => void actions.remove(job)}>
            {t('queue.remove')}
          </Button>
        </div>
      </header>

      <div className="detail-progress">
        <StepBar steps={pipeline?.steps.length ?? (steps.length || 1)} progress={progress} status={status === 'waiting' ? 'pending' : status} currentIndex={stepIndex} label={t('queue.progressOf', { title: job.title })} />
        <span className="pct" data-testid="detail-progress">
          {percentText(progress)}
        </span>
        {live?.message ? <span className="muted small">{live.message}</span> : null}
      </div>
      {job.error ? (
        <p className="error-box" role="alert">
          {job.error}
        </p>
      ) : null}
      {job.waitingReason ? <p className="warn-box">{job.waitingReason}</p> : null}

      {job.status === 'completed' && detail ? <ResultView job={detail} dataDir={dataDir} onRetry={why.retry ? null : () => void actions.retry(job)} /> : null}

      <details className="result-details" open={!finished || job.status !== 'completed'} data-testid="job-details">
        <summary>{t('result.details')}</summary>
      <dl className="facts">
        <Fact label={t('detail.created')} value={formatDateTime(job.createdAt, t.locale)} />
        <Fact label={t('detail.started')} value={formatDateTime(job.startedAt, t.locale)} />
        <Fact label={t('detail.completed')} value={formatDateTime(job.completedAt, t.locale)} />
        <Fact label={t('detail.duration')} value={formatDuration(elapsed, t.locale)} />
        <Fact label={t('detail.estimated')} value={formatDuration(job.estimatedDurationMs, t.locale)} />
        <Fact label={t('detail.cost')} value={jobCostLabel(job.costUsd, steps, t)} title={steps.some((s) => s.costKnown === false) ? t('detail.costUnknownTitle') : undefined} testId="job-cost" />
        <Fact label={t('detail.retries')} value={t('detail.retriesValue', { n: job.retryCount, max: job.maxRetries })} />
      </dl>

      <section className="detail-section">
        <h3>{t('detail.inputs')}</h3>
        <InputsTable payload={job.payload} />
      </section>

      <section className="detail-section">
        <h3>{t('detail.steps')}</h3>
        <ol className="steps">
          {steps.map((s) => (
            <StepItem key={s.name} step={s} detail={detail!} canRetry={finished} onRetry={() => void actions.retry(job, s.name)} live={live?.step === s.name ? live : undefined} dataDir={dataDir} />
          ))}
        </ol>
      </section>

      <section className="detail-section">
        <h3>{t('detail.log')}</h3>
        <LogView lines={logs} testId="job-log" />
      </section>
      </details>
    </article>
  )
}

function Fact({ label, value, title, testId }: { label: string; value: string; title?: string | undefined; testId?: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd title={title} data-testid={testId}>
        {value}
      </dd>
    </div>
  )
}

function InputsTable({ payload }: { payload: Record<string, unknown> }) {
  const entries = Object.entries(payload)
  if (!entries.length) return <p className="muted small">—</p>
  return (
    <table className="kv">
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>{typeof v === 'string' ? v : <code>{JSON.stringify(v)}</code>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function StepItem({
  step,
  detail,
  canRetry,
  onRetry,
  live,
  dataDir
}: {
  step: StepView
  detail: JobDetailData
  canRetry: boolean
  onRetry: () => void
  live: LiveProgress | undefined
  dataDir: string | null
}) {
  const t = useT()
  const files = Object.entries(step.files)
  return (
    <li className={`step-item step-${step.status}`} data-testid="step" data-step={step.name}>
      <div className="step-head">
        <span className="step-index">{step.index + 1}</span>
        <strong>{stepTitle(t, detail.type, step)}</strong>
        <span className={`status status-${step.status === 'running' ? 'processing' : step.status}`}>
          <span className="status-dot" aria-hidden="true" />
          {t(`step.${step.status}`)}
        </span>
        <span className="muted small">
          {step.resource}
          {step.provider ? ` · ${step.provider}` : ''}
          {step.fallback ? ` · ${t('detail.fallback')}` : ''}
        </span>
        <span className="spacer" />
        <span className="small">{t('detail.attempts', { n: step.attempts })}</span>
        {step.status === 'running' ? (
          // A running step shows its own progress (a render's frames and time), not empty figures.
          <span className="small" data-testid="step-live">
            {t('result.stepProgress', { pct: t.number(Math.floor(live?.stepProgress ?? step.progress) / 100, { style: 'percent' }) })}
            {live?.message ? ` · ${live.message}` : ''}
          </span>
        ) : (
          <>
            <span className="small">{formatDuration(step.durationMs, t.locale)}</span>
            <span className="small" data-testid="step-cost" title={step.costKnown === false ? t('detail.costUnknownTitle') : undefined}>
              {stepCostLabel(step, t)}
            </span>
          </>
        )}
        {canRetry ? (
          <button type="button" className="link small" onClick={onRetry} title={t('detail.retryFromHere')}>
            {t('detail.retryFromHere')}
          </button>
        ) : null}
      </div>
      {step.error ? <p className="error-box small">{step.error}</p> : null}
      <OutputView output={stepOutputShown(step.output, step.files, dataDir)} />
      {files.length ? (
        <div className="files">
          {files.map(([name, path]) => (
            <MediaFile key={name} path={path} label={name} />
          ))}
        </div>
      ) : null}
    </li>
  )
}
