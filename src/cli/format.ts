import type { JobDetail, JobView, LogLine, QueueEta, QueueStats } from '../shared/types'
import { percentText } from '../shared/progress'
import { isLogLineCode, logText } from '../shared/log-lines'
import { shortJobId } from '../shared/job-id'

/**
 * Text that comes from data (titles, prompts, cells, file names, error messages quoting them) as
 * a terminal may show it: control characters — ESC and OSC sequences that recolour, retitle or
 * rewrite the screen, C1 controls, bidi overrides — are written as visible escapes (`\x1b`).
 * A line break is kept in `lines` mode (a message of several lines) and escaped otherwise, so one
 * title stays one table row. --json output needs none of this: JSON escapes them already.
 */
export function term(text: string, options: { lines?: boolean } = {}): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    if (c === '\n') return options.lines ? c : '\\n'
    if (c === '\t') return options.lines ? c : '\\t'
    const code = c.charCodeAt(0)
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
  })
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—'
  if (ms < 1000) return `${Math.round(ms)}ms`
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
}

export function bar(percent: number, width = 20): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width)
  return '█'.repeat(filled) + '░'.repeat(width - filled)
}

function cut(text: string, width: number): string {
  return text.length > width ? text.slice(0, width - 1) + '…' : text.padEnd(width)
}

/** A job's ETA cell: its finish time, or "paused" when it waits for a resume rather than for time. */
export function etaText(finishInMs: number | null | undefined): string {
  return finishInMs === null ? 'paused' : duration(finishInMs)
}

/** The whole queue's ETA in one line; a paused queue has no end time, only a resume to wait for. */
export function queueEtaText(eta: QueueEta): string {
  const rows = eta.batchRowsWaiting
  const jobs = `${eta.jobs.length} job${eta.jobs.length === 1 ? '' : 's'}${rows ? ` + ${rows} batch row${rows === 1 ? '' : 's'} to queue` : ''}`
  if (eta.paused || eta.totalMs === null) return `whole queue: paused, nothing starts until it is resumed (studio resume); ${jobs} waiting`
  return `whole queue: ${duration(eta.totalMs)} with ${eta.concurrency} workers (${jobs})`
}

export function jobTable(jobs: JobView[], etaById: Map<string, number | null> = new Map()): string {
  if (jobs.length === 0) return 'no jobs'
  const header = `${'ID'.padEnd(8)}  ${'STATUS'.padEnd(10)}  P   ${'TYPE'.padEnd(8)}  ${'PROGRESS'.padEnd(9)}  ${'ETA'.padEnd(7)}  TITLE`
  const rows = jobs.map((j) => {
    const status = j.status === 'pending' && j.waitingReason ? 'waiting' : j.status
    const progress = percentText(j.progress).padStart(4) + (j.currentStep ? ` ${j.currentStep}` : '')
    const eta = etaById.has(j.id) ? etaText(etaById.get(j.id)) : ''
    return `${shortJobId(j.id)}  ${status.padEnd(10)}  ${String(j.priority).padStart(2)}  ${cut(term(j.type), 8)}  ${cut(term(progress), 9)}  ${eta.padEnd(7)}  ${term(j.title)}`
  })
  return [header, ...rows].join('\n')
}

export function jobDetailText(job: JobDetail, log: LogLine[]): string {
  const lines = [
    `${term(job.title)}`,
    `  id         ${job.id}`,
    `  type       ${term(job.type)}   project ${term(job.projectId)}${job.batchId ? `   batch ${job.batchId}` : ''}`,
    `  status     ${job.status}${job.waitingReason ? ` (${term(job.waitingReason)})` : ''}${job.pauseRequested ? ' (pausing)' : ''}   ${percentText(job.progress)}`,
    `  priority   ${job.priority}   retries ${job.retryCount} (max ${job.maxRetries} attempts per step)`,
    `  created    ${new Date(job.createdAt).toISOString()}` +
      (job.startedAt ? `   started ${new Date(job.startedAt).toISOString()}` : '') +
      (job.completedAt ? `   finished ${new Date(job.completedAt).toISOString()}` : ''),
    `  duration   ${duration(job.actualDurationMs)}   cost ${job.steps.some((s) => s.costKnown === false) ? '≥ ' : ''}$${job.costUsd.toFixed(4)}`
  ]
  if (job.error) lines.push(`  error      ${term(job.error)}`)
  lines.push('', '  steps')
  for (const s of job.steps) {
    // A storyboard's steps say which were reused from an earlier render, untouched by the edit.
    const reused = (s.output as { reused?: unknown } | null)?.reused === true
    const extra = [reused ? 'reused, unchanged' : s.provider, s.fallback ? 'fallback' : null, s.durationMs !== null ? duration(s.durationMs) : null]
      .filter(Boolean)
      .join(', ')
    // A planned step's name carries an id (segment:4f3a…): its title says which scene.
    const name = s.name.includes(':') ? `${term(s.title)}  [${term(s.name)}]` : term(s.name).padEnd(10)
    lines.push(`    ${String(s.index + 1).padStart(2)}. ${name} ${s.status.padEnd(10)} attempts ${s.attempts}${extra ? `  (${term(extra)})` : ''}`)
    if (s.error && s.status !== 'completed') lines.push(`        error: ${term(s.error)}`)
    for (const [name, path] of Object.entries(s.files)) lines.push(`        ${term(name)}: ${term(path)}`)
  }
  if (log.length) {
    lines.push('', '  log')
    for (const l of log) lines.push('    ' + logLineText(l))
  }
  return lines.join('\n')
}

/** A time of day on the user's clock (local time zone), as `HH:MM:SS` (`.mmm` with `ms`). */
export function clockTime(ts: number, options: { ms?: boolean } = {}): string {
  const d = new Date(ts)
  const two = (n: number) => String(n).padStart(2, '0')
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
  return options.ms ? `${time}.${String(d.getMilliseconds()).padStart(3, '0')}` : time
}

export function logLineText(l: LogLine): string {
  // The user's clock, as every other time they see: a log in UTC read 14:03 for 15:03 in Paris.
  const t = clockTime(l.ts, { ms: true })
  // The English of the line's template and values; free text (no code) as it was written.
  const text = isLogLineCode(l.code) && l.params ? logText(l.code, l.params) : l.message
  return `${t} ${l.level.toUpperCase().padEnd(5)} ${l.step ? `[${term(l.step)}] ` : ''}${term(text, { lines: true })}`
}

export function statsText(s: QueueStats): string {
  const lines = [
    `jobs: ${s.total}${s.paused ? '   (queue paused)' : ''}`,
    `  ${Object.entries(s.byStatus)
      .map(([k, v]) => `${k} ${v}`)
      .join('  ')}   waiting ${s.waiting}`,
    `  success rate (24 h): ${s.successRate24h === null ? '—' : `${Math.round(s.successRate24h * 100)}% of ${s.finished24h}`}`
  ]
  for (const line of s.spend ?? []) {
    const pct = line.capUsd > 0 ? Math.round((line.spentUsd / line.capUsd) * 100) : 100
    lines.push(
      `  budget ${line.provider ?? 'overall'} ${line.period === 'day' ? 'today' : 'this month'}: $${line.spentUsd.toFixed(2)} of $${line.capUsd.toFixed(2)} (${pct}%)${line.spentUsd >= line.capUsd ? `, reached: paid steps wait until ${new Date(line.resetsAt).toLocaleString()}` : ''}`
    )
  }
  for (const [type, counts] of Object.entries(s.byType)) {
    const avg = s.avgDurationMsByType[type]
    lines.push(
      `  ${term(type).padEnd(10)} ${Object.entries(counts)
        .map(([k, v]) => `${k} ${v}`)
        .join('  ')}${avg !== undefined ? `   avg ${duration(avg)}` : ''}`
    )
  }
  return lines.join('\n')
}
