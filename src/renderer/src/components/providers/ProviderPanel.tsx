import { useMemo, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { JobStatus, JobView, ProviderHealth } from '../../../../shared/types'
import { useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { getStudio, useStudio } from '../../store'
import { displayStatus, isFinished, isWaiting } from '../../store/order'
import { Button, IconButton, StatusBadge } from '../common/controls'
import { csvDelimiterFor } from '../../../../shared/csv'
import { downloadText, formatDateTime, formatDuration, formatPercent, shortId, toCsv } from '../common/format'
import { useNow } from '../common/hooks'
import { costLabel } from '../tracker/cost'
import { Icon } from '../common/Icon'
import { reasons, useJobActions } from '../queue/actions'
import { alertKey, alertShown, dismissAlert, FAILURE_ALERT, failureAlert, useDismissedAlert } from './alert-state'

export { FAILURE_ALERT, failureAlert } from './alert-state'

type RequestFilter = 'all' | 'waiting' | JobStatus
const REQUEST_LIMIT = 300

export function jobHistoryCsv(jobs: JobView[], locale = 'en'): string {
  return toCsv([
    // cost_known: false when a step had no known price (cost_usd is then a floor).
    ['id', 'title', 'type', 'project', 'status', 'priority', 'created', 'started', 'completed', 'duration_ms', 'cost_usd', 'cost_known', 'retries', 'batch', 'error'],
    ...jobs.map((j) => [
      j.id,
      j.title,
      j.type,
      j.projectId,
      j.status,
      j.priority,
      new Date(j.createdAt).toISOString(),
      j.startedAt ? new Date(j.startedAt).toISOString() : '',
      j.completedAt ? new Date(j.completedAt).toISOString() : '',
      j.actualDurationMs ?? '',
      j.costUsd,
      j.costKnown,
      j.retryCount,
      j.batchId ?? '',
      j.error ?? ''
    ])
  ], locale)
}

/** Seed 4's admin panel: provider health, pool, success rates, manual run, retry/cancel, CSV export, 20 % alert. */
export function ProviderPanel() {
  const t = useT()
  const call = useCall()
  const actions = useJobActions()
  const now = useNow()
  const providers = useStudio(useShallow((s) => Object.values(s.providers).sort((a, b) => a.provider.localeCompare(b.provider))))
  const stats = useStudio((s) => s.stats)
  const pool = useStudio((s) => s.pool)
  const batches = useStudio(useShallow((s) => Object.values(s.batches)))
  const [filter, setFilter] = useState<RequestFilter>('all')
  const [exportBatch, setExportBatch] = useState('')
  const [concurrency, setConcurrency] = useState<string>('')
  const minute = Math.floor(now / 10_000)
  const order = useStudio((s) => s.order)
  const jobs = useStudio((s) => s.jobs)
  const requests = useMemo(() => {
    const out: string[] = []
    for (const id of order) {
      const j = jobs[id]!
      if (filter === 'waiting' ? isWaiting(j, minute * 10_000) : filter !== 'all' && j.status !== filter) continue
      out.push(id)
      if (out.length >= REQUEST_LIMIT) break
    }
    return out
  }, [order, jobs, filter, minute])
  const alerts = failureAlert(stats, providers)
  const currentAlert = alertKey(stats, providers)
  const dismissedAlert = useDismissedAlert()
  const avgAll = stats ? Object.values(stats.avgDurationMsByType) : []

  const retryAllFailed = async () => {
    const s = getStudio()
    const failed = s.order.map((id) => s.jobs[id]!).filter((j) => j.status === 'failed')
    let n = 0
    for (const j of failed) if ((await call('jobs/retry', { id: j.id }, { quiet: true })).ok) n++
    s.notify('success', t.plural('admin.retriedMany', n))
  }
  const exportHistory = () => {
    const s = getStudio()
    downloadText(`job-history-${new Date().toISOString().slice(0, 10)}.csv`, jobHistoryCsv(s.order.map((id) => s.jobs[id]!), t.locale))
  }
  const exportBatchCsv = async () => {
    if (!exportBatch) return
    const r = await call('batch/export', { id: exportBatch, what: 'results', delimiter: csvDelimiterFor(t.locale) })
    if (r.ok) downloadText(r.value.fileName, r.value.csv)
  }

  return (
    <div className="admin" data-testid="providers">
      <header className="panel-header page-header">
        <h2>{t('admin.title')}</h2>
        <div className="toolbar">
          <Button icon="bolt" kind="primary" onClick={() => void call('pool/kick', {}).then((r) => r.ok && getStudio().notify('info', t('admin.kicked')))} testId="admin-kick">
            {t('admin.kick')}
          </Button>
          <Button icon="retry" onClick={() => void retryAllFailed()} disabled={!stats?.byStatus.failed}>
            {t('admin.retryFailed')}
          </Button>
          <Button icon="download" onClick={exportHistory} testId="export-history">
            {t('admin.exportHistory')}
          </Button>
        </div>
      </header>

      {alerts.length && alertShown(currentAlert, dismissedAlert) ? (
        <div className="alert-banner" role="alert" data-testid="failure-alert">
          <Icon name="alert" />
          <span>
            {t('admin.alert', {
              who: alerts.map((a) => (a === 'jobs' ? t('admin.alertJobs') : a)).join(', ')
            })}
          </span>
          <IconButton icon="cancel" label={t('admin.dismissAlert')} onClick={() => dismissAlert(currentAlert)} testId="dismiss-alert" />
        </div>
      ) : null}

      <div className="cards">
        <Card label={t('status.pending')} value={stats?.byStatus.pending ?? 0} tone="pending" />
        <Card label={t('status.processing')} value={stats?.byStatus.processing ?? 0} tone="processing" />
        <Card label={t('status.waiting')} value={stats?.waiting ?? 0} tone="waiting" />
        <Card label={t('status.completed')} value={stats?.byStatus.completed ?? 0} tone="completed" />
        <Card label={t('status.failed')} value={stats?.byStatus.failed ?? 0} tone="failed" />
        <Card label={t('admin.success24h')} value={formatPercent(stats?.successRate24h, t.locale)} sub={t.plural('admin.finished24h', stats?.finished24h ?? 0)} />
        <Card
          label={t('admin.avgTime')}
          value={avgAll.length ? formatDuration(avgAll.reduce((a, b) => a + b, 0) / avgAll.length, t.locale) : '—'}
          sub={Object.entries(stats?.avgDurationMsByType ?? {})
            .map(([k, v]) => `${k} ${formatDuration(v, t.locale)}`)
            .join(' · ')}
        />
      </div>

      <section className="panel">
        <header className="panel-header">
          <h3>{t('admin.providers')}</h3>
        </header>
        {providers.length === 0 ? (
          <p className="empty small">{t('admin.noProviders')}</p>
        ) : (
          <div className="table-scroll">
            <table className="grid-table providers-table" data-testid="providers-table">
              <thead>
                <tr>
                  <th>{t('admin.provider')}</th>
                  <th>{t('admin.health')}</th>
                  <th className="num">{t('admin.response')}</th>
                  <th className="num">{t('admin.success24h')}</th>
                  <th className="num">{t('admin.calls24h')}</th>
                  <th className="num">{t('admin.avg')}</th>
                  <th>{t('admin.lastError')}</th>
                  <th>{t('admin.nextProbe')}</th>
                </tr>
              </thead>
              <tbody>
                {providers.map((p) => (
                  <tr key={p.provider} data-testid="provider-row" data-provider={p.provider} data-state={p.state}>
                    <td className="mono">
                      {p.provider}
                      {p.inUse ? null : <span className="muted small" data-testid="provider-unused"> · {t('admin.notInUse')}</span>}
                    </td>
                    <td>
                      <span className={`status circuit-${p.state}`}>
                        <span className="status-dot" aria-hidden="true" />
                        {t(`admin.circuit.${p.state}`)}
                      </span>
                      {p.consecutiveFailures ? <span className="muted small"> · {t('admin.failuresInRow', { n: p.consecutiveFailures })}</span> : null}
                    </td>
                    <td className="num">{p.lastResponseMs !== null ? `${Math.round(p.lastResponseMs)} ms` : '—'}</td>
                    <td
                      className={`num${p.inUse && p.recentFailureRate !== null && p.recentFailureRate > FAILURE_ALERT ? ' bad' : ''}`}
                      title={p.recentFailureRate === null ? undefined : t('admin.recentRate', { rate: formatPercent(1 - p.recentFailureRate, t.locale), n: p.recentCalls })}
                    >
                      {formatPercent(p.successRate24h, t.locale)}
                    </td>
                    <td className="num">{p.calls24h}</td>
                    <td className="num">{formatDuration(p.avgDurationMs24h, t.locale)}</td>
                    <td className="wrap small" title={p.lastError ?? ''}>
                      {p.lastError ?? '—'}
                    </td>
                    <td className="small">{p.state === 'closed' || !p.retryAt ? '—' : p.retryAt > now ? formatDuration(p.retryAt - now, t.locale) : t('admin.probing')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <div className="two-col">
        <section className="panel">
          <header className="panel-header">
            <h3>{t('admin.pool')}</h3>
            <span className="muted small">
              {pool ? t('admin.poolState', { state: t(`pool.${pool.state}`), running: pool.running.length, concurrency: pool.concurrency }) : '—'}
            </span>
          </header>
          <div className="inline-form pad">
            <label htmlFor="pool-concurrency">{t('admin.concurrency')}</label>
            <input id="pool-concurrency" type="number" min={1} max={64} placeholder={String(pool?.concurrency ?? '')} value={concurrency} onChange={(e) => setConcurrency(e.target.value)} />
            <Button
              disabled={!concurrency}
              onClick={() =>
                void call('pool/setConcurrency', { concurrency: Number(concurrency) }).then((r) => {
                  if (r.ok) setConcurrency('')
                })
              }
            >
              {t('common.apply')}
            </Button>
          </div>
          <table className="grid-table">
            <thead>
              <tr>
                <th>{t('admin.resource')}</th>
                <th className="num">{t('admin.running')}</th>
                <th className="num">{t('admin.minInterval')}</th>
              </tr>
            </thead>
            <tbody>
              {(pool?.resources ?? []).map((r) => (
                <tr key={r.resource}>
                  <td className="mono">{r.resource}</td>
                  <td className="num">
                    {r.running} / {r.concurrency}
                  </td>
                  <td className="num">{r.minIntervalMs ? `${r.minIntervalMs} ms` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className="panel">
          <header className="panel-header">
            <h3>{t('admin.export')}</h3>
          </header>
          <div className="inline-form pad">
            <select aria-label={t('admin.exportBatch')} value={exportBatch} onChange={(e) => setExportBatch(e.target.value)}>
              <option value="">{batches.length ? t('admin.pickBatch') : t('batch.none')}</option>
              {batches.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </select>
            <Button icon="download" disabled={!exportBatch} onClick={() => void exportBatchCsv()}>
              {t('admin.exportBatch')}
            </Button>
          </div>
          <p className="muted small pad">{t('admin.exportHint')}</p>
        </section>
      </div>

      <section className="panel requests">
        <header className="panel-header">
          <h3>{t('admin.requests')}</h3>
          <div className="segmented" role="radiogroup" aria-label={t('tracker.status')}>
            {(['all', 'waiting', 'pending', 'processing', 'failed', 'completed', 'cancelled'] as const).map((f) => (
              <button key={f} type="button" role="radio" aria-checked={filter === f} className={filter === f ? 'active' : ''} onClick={() => setFilter(f)}>
                {f === 'all' ? t('queue.filter.all') : t(`status.${f}`)}
              </button>
            ))}
          </div>
        </header>
        <div className="table-scroll tall">
          <table className="grid-table" data-testid="requests-table">
            <thead>
              <tr>
                <th>{t('queue.col.status')}</th>
                <th>{t('queue.col.job')}</th>
                <th>{t('admin.created')}</th>
                <th className="num">{t('detail.duration')}</th>
                <th className="num">{t('detail.cost')}</th>
                <th>{t('admin.reason')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {requests.map((id) => (
                <RequestRow key={id} id={id} now={now} actions={actions} />
              ))}
            </tbody>
          </table>
          {requests.length >= REQUEST_LIMIT ? <p className="muted small pad">{t('admin.limited', { n: REQUEST_LIMIT })}</p> : null}
        </div>
      </section>
    </div>
  )
}

function RequestRow({ id, now, actions }: { id: string; now: number; actions: ReturnType<typeof useJobActions> }) {
  const t = useT()
  const job = useStudio((s) => s.jobs[id])
  if (!job) return null
  const why = reasons(t, job, -1, 0)
  return (
    <tr data-job-id={id}>
      <td>
        <StatusBadge status={displayStatus(job, now)} />
      </td>
      <td>
        <button type="button" className="link" onClick={() => (getStudio().selectJob(id), getStudio().setView('jobs'))}>
          {job.title}
        </button>
        <span className="muted small"> · {job.type} · {shortId(id)}</span>
      </td>
      <td className="small">{formatDateTime(job.createdAt, t.locale)}</td>
      <td className="num small">{formatDuration(job.actualDurationMs ?? (job.startedAt ? now - job.startedAt : null), t.locale)}</td>
      <td className="num small" data-testid="request-cost">{costLabel(job.costUsd, job.costKnown, t)}</td>
      <td className="wrap small">{job.error ?? job.waitingReason ?? ''}</td>
      <td className="row-actions">
        {!isFinished(job) ? (
          <IconButton icon="cancel" label={t('queue.cancel')} disabledReason={why.cancel} onClick={() => void actions.cancel(job)} />
        ) : (
          <IconButton icon="retry" label={t('queue.retry')} disabledReason={why.retry} onClick={() => void actions.retry(job)} />
        )}
      </td>
    </tr>
  )
}

function Card({ label, value, sub, tone }: { label: string; value: string | number; sub?: string; tone?: string }) {
  return (
    <div className={`card${tone ? ' tone-' + tone : ''}`}>
      <span className="card-label">{label}</span>
      <span className="card-value">{value}</span>
      {sub ? <span className="card-sub">{sub}</span> : null}
    </div>
  )
}
