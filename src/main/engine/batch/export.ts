import type { Db } from '../store/database'

/** RFC 4180 CSV, with a formula guard: a cell starting with = + - @ opens as text in a spreadsheet. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  const cell = (v: unknown): string => {
    let s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`
    return /[",\n\r;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
  }
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n'
}

const iso = (t: number | null) => (t ? new Date(t).toISOString() : '')

/** One line per spreadsheet row: what became of it. */
export function batchResultsCsv(db: Db, batchId: string): string {
  const rows = db
    .prepare<[string], Record<string, unknown>>(
      `SELECT r.row_number, r.state, r.error AS row_error, j.id AS job_id, j.status, j.error, j.result,
              j.actual_duration_ms, j.cost_usd, j.completed_at
       FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id WHERE r.batch_id = ? ORDER BY r.row_number`
    )
    .all(batchId)
  const words = db.prepare<[string], { output: string | null }>("SELECT output FROM steps WHERE job_id = ? AND name = 'script'")
  return toCsv(
    ['row', 'status', 'job_id', 'output', 'word_count', 'duration_ms', 'cost_usd', 'finished_at', 'error'],
    rows.map((r) => {
      const result = r.result ? (JSON.parse(String(r.result)) as { output?: { path?: string; text?: string } }) : null
      const script = r.job_id ? words.get(String(r.job_id)) : undefined
      const wordCount = script?.output ? (JSON.parse(script.output) as { words?: number }).words ?? '' : ''
      const status = r.state === 'invalid' ? 'invalid' : r.state === 'ready' ? 'not started' : r.status
      return [
        r.row_number,
        status,
        r.job_id ?? '',
        result?.output?.path ?? '',
        wordCount,
        r.actual_duration_ms ?? '',
        r.cost_usd ?? '',
        iso(r.completed_at as number | null),
        r.row_error ?? r.error ?? ''
      ]
    })
  )
}

/** Job history (seed 4's CSV export): every job, or a batch's jobs. */
export function jobHistoryCsv(db: Db, batchId?: string): string {
  const rows = db
    .prepare<unknown[], Record<string, unknown>>(
      `SELECT id, project_id, type, title, status, priority, retry_count, created_at, started_at, completed_at,
              actual_duration_ms, cost_usd, error
       FROM jobs ${batchId ? 'WHERE batch_id = ?' : ''} ORDER BY created_at`
    )
    .all(...(batchId ? [batchId] : []))
  return toCsv(
    ['id', 'project', 'type', 'title', 'status', 'priority', 'retries', 'created_at', 'started_at', 'completed_at', 'duration_ms', 'cost_usd', 'error'],
    rows.map((r) => [
      r.id,
      r.project_id,
      r.type,
      r.title,
      r.status,
      r.priority,
      r.retry_count,
      iso(r.created_at as number),
      iso(r.started_at as number | null),
      iso(r.completed_at as number | null),
      r.actual_duration_ms ?? '',
      r.cost_usd,
      r.error ?? ''
    ])
  )
}
