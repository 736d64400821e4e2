/**
 * Counting what a farm worker process sends and hears, for bench/farm/engine.ts --counts: every
 * statement its connections send (by kind, pg.Client.prototype.query wrapped), the rows those
 * statements return, and every notification its LISTEN connections hear (by channel and origin).
 * Measurement only: the statements are the worker's own. Off unless the bench asks (the wrapping
 * costs a little CPU per statement, which the CPU figures should not carry).
 */
import pg from 'pg'

export interface WorkerCounts {
  statements: Record<string, number>
  rows: number
  /** Claims sent (farm_claim_next), and those that found no job. */
  claims: number
  emptyClaims: number
  notices: Record<string, number>
}

const statements = new Map<string, number>()
const notices = new Map<string, number>()
let rows = 0
let claims = 0
let emptyClaims = 0

/** A statement's kind: its first words, values and names left out. */
function kind(text: string): string {
  const flat = text.replace(/\s+/g, ' ').replace(/E?'(?:[^']|'')*'/g, '?').trim()
  if (flat.includes(';')) return `trip: ${flat.split(';').map((p) => p.trim().replace(/\(.*$/, '').slice(0, 40)).filter((p) => p && p !== 'BEGIN' && p !== 'COMMIT' && !p.startsWith('SET LOCAL')).join(' + ')}`
  return flat.slice(0, 70)
}

export function startCounting(): void {
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown
  ;(pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string }
    const text = String(typeof first === 'string' ? first : first?.text)
    const k = kind(text)
    statements.set(k, (statements.get(k) ?? 0) + 1)
    const heard = (r: pg.QueryResult | pg.QueryResult[]) => {
      for (const one of Array.isArray(r) ? r : [r]) {
        rows += one?.rows?.length ?? 0
        // A claim's answer (farm_claim_next's columns): a job, or no row when none was ready.
        if (one?.fields?.some((f) => f.name === 'claimed_job')) {
          claims++
          if (!one.rows.length) emptyClaims++
        }
      }
    }
    // pg.Pool's query passes a callback; a client's own returns a promise.
    const last = args[args.length - 1]
    if (typeof last === 'function') {
      args[args.length - 1] = (err: unknown, r: pg.QueryResult) => {
        if (!err) heard(r)
        return (last as (e: unknown, r: unknown) => unknown)(err, r)
      }
    }
    const reply = query.apply(this, args)
    if (reply instanceof Promise) reply.then(heard, () => undefined)
    return reply
  }
  const emit = pg.Client.prototype.emit
  pg.Client.prototype.emit = function (this: pg.Client, event: string | symbol, ...args: unknown[]) {
    if (event === 'notification') {
      const n = args[0] as pg.Notification
      let origin = n.payload ?? ''
      try {
        const parsed = JSON.parse(origin) as { origin?: string; all?: boolean }
        origin = `${parsed.origin?.length === 36 ? 'a job store' : parsed.origin}${parsed.all ? ' (all)' : ''}`
      } catch {
        // a plain payload (wake-ups)
      }
      const k = `${n.channel} ${origin}`
      notices.set(k, (notices.get(k) ?? 0) + 1)
    }
    return emit.call(this, event, ...args)
  }
}

/** What was counted since the last call. */
export function takeCounts(): WorkerCounts {
  const out = { statements: Object.fromEntries(statements), rows, claims, emptyClaims, notices: Object.fromEntries(notices) }
  statements.clear()
  notices.clear()
  rows = 0
  claims = 0
  emptyClaims = 0
  return out
}
