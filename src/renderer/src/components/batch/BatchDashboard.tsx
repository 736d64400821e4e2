import { BatchStoryboards } from './BatchStoryboards'
import { useEffect, useMemo, useRef } from 'react'
import { csvDelimiterFor } from '../../../../shared/csv'
import { useShallow } from 'zustand/react/shallow'
import type { BatchView, LogLine } from '../../../../shared/types'
import { useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { getStudio, useStudio } from '../../store'
import { Button, Unavailable } from '../common/controls'
import { approx, downloadText, formatDateTime, formatDuration, formatPercent, readAsBase64 } from '../common/format'
import { useNow } from '../common/hooks'
import { Icon } from '../common/Icon'
import { costLabel } from '../tracker/cost'
import { stepShortLabel, stepTitle } from '../../i18n/step-title'
import { LogView } from '../tracker/LogView'
import { optionLabel, pipelineLabel } from './BatchConfigForm'
import { BatchRowsTable } from './BatchRowsTable'
import { Bars, Gauge, Sparkline } from './charts'

export const SHEET_EXTENSIONS = /\.(csv|tsv|txt|xlsx|xlsm|xls)$/i
const EMPTY_LOGS: LogLine[] = []

/** Open the batch creation flow for a file (drop anywhere, or the "Import" button). */
export async function openSheet(file: File): Promise<void> {
  const s = getStudio()
  if (file.size > 50 * 1024 * 1024) {
    s.notify('error', `${file.name}: larger than 50 MB`)
    return
  }
  const contentBase64 = await readAsBase64(file)
  s.setView('batches')
  s.setDroppedSheet({ name: file.name, contentBase64 })
}

/** Seed 3's dashboard: configuration, start/pause/resume/stop/reset, live progress, metrics, charts, logs; seed 4's 20 % alert. */
export function BatchDashboard() {
  const t = useT()
  const unavailable = useStudio((s) => s.unavailable.batch)
  const batches = useStudio(useShallow((s) => Object.values(s.batches).sort((a, b) => b.createdAt - a.createdAt)))
  const selectedId = useStudio((s) => s.selectedBatchId)
  const selected = batches.find((b) => b.id === selectedId) ?? batches[0]
  const fileInput = useRef<HTMLInputElement>(null)

  return (
    <div className="split batches" data-testid="batches">
      <section className="panel batch-list" aria-labelledby="batches-heading">
        <header className="panel-header">
          <h2 id="batches-heading">{t('batch.title')}</h2>
          <Button icon="upload" kind="primary" onClick={() => fileInput.current?.click()} testId="batch-import">
            {t('batch.import')}
          </Button>
          <input
            ref={fileInput}
            type="file"
            accept=".csv,.tsv,.txt,.xlsx,.xlsm,.xls"
            hidden
            data-testid="sheet-input"
            onChange={(e) => {
              const f = e.target.files?.[0]
              if (f) void openSheet(f)
              e.target.value = ''
            }}
          />
        </header>
        {unavailable ? <Unavailable message={unavailable} /> : null}
        <div className="drop-hint" data-testid="batch-dropzone">
          <Icon name="upload" size={20} />
          <span>{t('batch.dropHint')}</span>
        </div>
        <ul className="plain-list">
          {batches.map((b) => (
            <li key={b.id}>
              <button
                type="button"
                className={`batch-item${selected?.id === b.id ? ' selected' : ''}`}
                onClick={() => getStudio().selectBatch(b.id)}
                aria-current={selected?.id === b.id ? 'true' : undefined}
                data-testid="batch-item"
              >
                <span className="batch-item-top">
                  <strong>{b.name}</strong>
                  <span className={`status status-batch-${b.status}`}>
                    <span className="status-dot" aria-hidden="true" />
                    {t(`batch.status.${b.status}`)}
                  </span>
                </span>
                <span className="bar">
                  <span className="bar-fill" style={{ width: `${b.progress}%` }} />
                </span>
                <span className="muted small">
                  {b.doneRows}/{b.totalRows} · {formatDateTime(b.createdAt, t.locale)}
                  {b.metrics.alert ? ` · ⚠ ${t('batch.alertShort')}` : ''}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section className="panel detail-pane">{selected ? <BatchDetail batch={selected} /> : <div className="empty">{t('batch.none')}</div>}</section>
    </div>
  )
}


function BatchDetail({ batch }: { batch: BatchView }) {
  const pipelines = useStudio((s) => s.pipelines)
  const t = useT()
  const call = useCall()
  const now = useNow()
  const samples = useStudio((s) => s.batchSamples[batch.id])
  const queuePaused = useStudio((s) => s.queuePaused)
  const recentLogs = useStudio((s) => s.recentLogs)
  const jobs = useStudio((s) => s.jobs)
  const logs = useMemo(() => recentLogs.filter((l) => jobs[l.jobId]?.batchId === batch.id), [recentLogs, jobs, batch.id])
  const backfilled = useRef<string | null>(null)

  // Logs written before this page opened: the last lines of the batch's most recent jobs.
  useEffect(() => {
    if (backfilled.current === batch.id) return
    backfilled.current = batch.id
    const s = getStudio()
    const recent = s.order.filter((id) => s.jobs[id]?.batchId === batch.id).slice(0, 8)
    void Promise.all(recent.map((id) => call('jobs/logs', { id, limit: 200 }, { quiet: true }))).then((results) => {
      getStudio().addRecentLogs(results.flatMap((r) => (r.ok ? r.value : [])))
    })
  }, [batch.id, call])

  const act = (command: 'batch/start' | 'batch/pause' | 'batch/resume' | 'batch/stop' | 'batch/retryFailed') => async () => {
    const r = await call(command, { id: batch.id })
    if (r.ok && r.value) getStudio().upsertBatch(r.value)
  }
  const exportCsv = async (what: 'results' | 'history') => {
    const r = await call('batch/export', { id: batch.id, what, delimiter: csvDelimiterFor(t.locale) })
    if (r.ok) downloadText(r.value.fileName, r.value.csv)
  }
  // Reset forgets every row's result: worth a second thought, like deleting.
  const reset = async () => {
    if (!(await getStudio().ask({ title: t('confirm.batchResetTitle'), message: t('batch.confirmReset', { name: batch.name }), confirmLabel: t('confirm.batchResetOk'), danger: true }))) return
    const r = await call('batch/reset', { id: batch.id })
    if (r.ok) getStudio().upsertBatch(r.value)
  }
  const remove = async () => {
    if (!(await getStudio().ask({ title: t('confirm.batchRemoveTitle'), message: t('batch.confirmRemove', { name: batch.name }), confirmLabel: t('confirm.batchRemoveOk'), danger: true }))) return
    const r = await call('batch/remove', { id: batch.id })
    if (r.ok) getStudio().removeBatch(batch.id)
  }

  const running = batch.status === 'running'
  const paused = batch.status === 'paused'
  // The engine resets any batch that is not running; an idle one has nothing to forget.
  const resettable = !running && batch.status !== 'idle'
  const elapsed = batch.startedAt ? (batch.finishedAt ?? now) - batch.startedAt : null
  const remaining = batch.estimatedEndAt && !batch.finishedAt ? Math.max(0, batch.estimatedEndAt - now) : null
  const done = samples?.map((p) => p.done) ?? []
  const cost = samples?.map((p) => p.cost) ?? []
  const pipeline = batch.config.pipeline
  const stepBars = Object.entries(batch.metrics.avgStepMs).map(([name, value]) => ({
    label: stepShortLabel(t, pipeline, name),
    title: stepTitle(t, pipeline, { name, title: name }),
    value
  }))

  return (
    <article className="batch-detail" data-testid="batch-detail" data-status={batch.status}>
      <header className="detail-header">
        <div>
          <h2>{batch.name}</h2>
          <div className="detail-meta">
            <span className={`status status-batch-${batch.status}`} data-testid="batch-status">
              <span className="status-dot" aria-hidden="true" />
              {t(`batch.status.${batch.status}`)}
            </span>
            <span title={batch.source}>{batch.source}</span>
            {batch.sheet ? <span>{batch.sheet}</span> : null}
            <span>
              {t('detail.project')}: {batch.projectId}
            </span>
          </div>
        </div>
        <div className="toolbar">
          {/* Only an idle batch starts: a stopped one is retried (carry on) or reset (start over). */}
          {batch.status === 'idle' ? (
            <Button icon="play" kind="primary" onClick={act('batch/start')} testId="batch-start">
              {t('batch.start')}
            </Button>
          ) : null}
          {running ? (
            <Button icon="pause" onClick={act('batch/pause')} testId="batch-pause">
              {t('batch.pause')}
            </Button>
          ) : null}
          {paused ? (
            <Button icon="play" kind="primary" onClick={act('batch/resume')} testId="batch-resume">
              {t('batch.resume')}
            </Button>
          ) : null}
          {running || paused ? (
            <Button icon="stop" kind="danger" onClick={act('batch/stop')} testId="batch-stop">
              {t('batch.stop')}
            </Button>
          ) : null}
          <Button icon="retry" onClick={act('batch/retryFailed')} disabled={batch.failedRows === 0 && batch.status !== 'stopped'} testId="batch-retry">
            {t('batch.retryFailed')}
          </Button>
          <Button onClick={() => void reset()} disabled={!resettable} title={running ? t('batch.resetRunning') : t('batch.resetHint')} testId="batch-reset">
            {t('batch.reset')}
          </Button>
          <Button icon="download" onClick={() => void exportCsv('results')} testId="batch-export-results">
            {t('batch.exportResults')}
          </Button>
          <Button icon="download" kind="ghost" onClick={() => void exportCsv('history')}>
            {t('batch.exportHistory')}
          </Button>
          <Button icon="trash" kind="ghost" onClick={() => void remove()}>
            {t('queue.remove')}
          </Button>
        </div>
      </header>

      {batch.metrics.alert ? (
        <div className="alert-banner" role="alert" data-testid="failure-alert">
          <Icon name="alert" />
          <span>{t('batch.alert', { rate: formatPercent(batch.metrics.errorRate, t.locale) })}</span>
        </div>
      ) : null}

      {batch.ignoredColumns.length ? (
        <p className="small muted" data-testid="batch-ignored-columns">
          {t(batch.ignoredColumns.length === 1 ? 'batch.ignoredColumn' : 'batch.ignoredColumns', {
            columns: batch.ignoredColumns.map((c) => t('common.quoted', { text: c })).join(', '),
            pipeline: pipelineLabel(t, batch.config.pipeline, pipelines.find((p) => p.name === batch.config.pipeline)?.title)
          })}
        </p>
      ) : null}

      <div className="batch-progress" aria-live="polite">
        <div className="bar big" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(batch.progress)} aria-label={t('batch.progress')}>
          <span className="bar-fill" style={{ width: `${batch.progress}%` }} />
          {batch.totalRows ? <span className="bar-fail" style={{ width: `${(batch.failedRows / batch.totalRows) * 100}%` }} /> : null}
        </div>
        <span data-testid="batch-progress">
          {batch.importing
            ? t('batch.importing', { rows: batch.importing.rowsRead.toLocaleString(t.locale) })
            : t('batch.rowsDone', { done: batch.doneRows, total: batch.totalRows, pct: Math.round(batch.progress) })}
        </span>
        <span className="muted" data-testid="batch-counts">
          {t('batch.failedInvalid', { failed: batch.failedRows, invalid: batch.invalidRows })}
          {batch.cancelledRows ? ` · ${t('batch.cancelledRows', { count: batch.cancelledRows })}` : ''}
        </span>
        <span className="muted">
          {t('batch.currentRows')}: {batch.currentRows.length ? batch.currentRows.join(', ') : '—'}
        </span>
      </div>

      <div className="metrics">
        <Metric label={t('batch.m.elapsed')} value={formatDuration(elapsed, t.locale)} sub={t('batch.m.started', { at: formatDateTime(batch.startedAt, t.locale) })} />
        {running && queuePaused ? (
          <Metric label={t('batch.m.remaining')} value={t('queue.etaPaused')} sub={t('batch.m.queuePaused')} testId="batch-remaining" />
        ) : (
          <Metric
            label={t('batch.m.remaining')}
            value={remaining !== null ? approx(formatDuration(remaining, t.locale)) : '—'}
            sub={t('batch.m.endAt', { at: formatDateTime(batch.estimatedEndAt, t.locale) })}
            testId="batch-remaining"
          />
        )}
        <Metric label={t('batch.m.avgRow')} value={formatDuration(batch.metrics.avgRowMs, t.locale)}>
          <Sparkline values={done} label={t('batch.chart.rows')} kind="area" />
        </Metric>
        <Metric
          label={t('batch.m.cost')}
          value={costLabel(batch.metrics.costUsd, batch.metrics.costKnown, t)}
          sub={t('batch.m.projected', { cost: batch.metrics.projectedCostUsd === null ? '—' : costLabel(batch.metrics.projectedCostUsd, batch.metrics.costKnown, t) })}
          testId="batch-cost"
        >
          <Sparkline values={cost} label={t('batch.chart.cost')} />
        </Metric>
        <Metric label={t('batch.m.errors')} value={formatPercent(batch.metrics.errorRate, t.locale)} sub={t('batch.m.threshold')}>
          <Gauge ratio={batch.metrics.errorRate} threshold={0.2} label={t('batch.chart.errors')} />
        </Metric>
        <Metric label={t('batch.m.steps')} value="">
          {stepBars.length ? <Bars items={stepBars} format={(v) => formatDuration(v, t.locale)} label={t('batch.chart.steps')} /> : <span className="muted small">—</span>}
        </Metric>
      </div>

      {batch.lastResult ? (
        <p className="small">
          {t('batch.lastResult', {
            row: batch.lastResult.rowNumber,
            words: batch.lastResult.wordCount ?? '—',
            time: formatDuration(batch.lastResult.durationMs, t.locale)
          })}{' '}
          <button type="button" className="link" onClick={() => openJob(batch.lastResult!.jobId)}>
            {t('batch.openJob')}
          </button>
        </p>
      ) : null}

      <BatchStoryboards batchId={batch.id} pipeline={batch.config.pipeline} />
      <BatchRowsTable batch={batch} />

      <div className="batch-lower">
        <section className="detail-section">
          <h3>{t('batch.errors')}</h3>
          {batch.errors.length === 0 ? (
            <p className="muted small">{t('batch.noErrors')}</p>
          ) : (
            <div className="table-scroll short">
              <table className="grid-table">
                <thead>
                  <tr>
                    <th>{t('batch.row')}</th>
                    <th>{t('batch.reason')}</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {batch.errors.map((e, i) => (
                    <tr key={`${e.rowNumber}-${i}`}>
                      <td>{e.rowNumber}</td>
                      <td className="wrap">{e.reason}</td>
                      <td>
                        {e.jobId ? (
                          <button type="button" className="link" onClick={() => openJob(e.jobId!)}>
                            {t('batch.openJob')}
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h3>{t('batch.config')}</h3>
          <p className="small config-summary" data-testid="batch-config-summary">
            {[
              pipelineLabel(t, batch.config.pipeline, pipelines.find((p) => p.name === batch.config.pipeline)?.title),
              optionLabel(t, 'selective', batch.config.selective),
              optionLabel(t, 'adversarial', batch.config.adversarial),
              optionLabel(t, 'humanSimulation', batch.config.humanSimulation),
              optionLabel(t, 'patternBreaking', batch.config.patternBreaking)
            ].join(' · ')}{' '}
            · ×{batch.config.intensity}
            {batch.config.rowRange ? ` · ${t('batch.rows')} ${batch.config.rowRange.start}–${batch.config.rowRange.end ?? '…'}` : ''}
            {batch.config.saveIntermediateSteps ? ` · ${t('batch.cfg.saveIntermediate')}` : ''}
          </p>
        </section>
        <section className="detail-section">
          <h3>{t('batch.logs')}</h3>
          <LogView lines={logs.length ? logs : EMPTY_LOGS} showJob onJob={openJob} testId="batch-log" />
        </section>
      </div>
    </article>
  )
}

function Metric({ label, value, sub, testId, children }: { label: string; value: string; sub?: string; testId?: string; children?: React.ReactNode }) {
  return (
    <div className="metric" data-testid={testId}>
      <span className="metric-label">{label}</span>
      {value ? <span className="metric-value">{value}</span> : null}
      {children}
      {sub ? <span className="metric-sub">{sub}</span> : null}
    </div>
  )
}

function openJob(id: string): void {
  const s = getStudio()
  s.selectJob(id)
  s.setView('jobs')
}
