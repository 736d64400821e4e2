/**
 * A data folder can move: a new computer, a restored backup, another user account, another disk.
 * The database keeps absolute paths to what lies inside that folder (step artifacts and work
 * folders, imported assets, staged batch sources, and the paths that job inputs and outputs
 * carry). When the database is opened from another place than last time, those paths move with
 * it — once, in one transaction — so that finished steps are reused instead of paid for again.
 * Paths outside the data folder (a user's own files) are left as they are.
 */
import path from 'node:path'
// The connection's type straight from the driver: database.ts imports this module to open a store.
import type Database from 'better-sqlite3'

type Db = Database.Database

/** The settings key holding the data folder this database was last opened in. */
export const DATA_ROOT_KEY = 'store.data_root'

interface PathColumn {
  table: string
  column: string
  /** JSON text whose string values may be paths, or a path itself. */
  json: boolean
}

/** Every column that can hold a path into the data folder. */
const PATH_COLUMNS: readonly PathColumn[] = [
  { table: 'jobs', column: 'payload', json: true },
  { table: 'jobs', column: 'result', json: true },
  { table: 'steps', column: 'output', json: true },
  { table: 'steps', column: 'files', json: true },
  { table: 'steps', column: 'work_dir', json: false },
  { table: 'assets', column: 'path', json: false },
  { table: 'batches', column: 'source_file', json: false },
  { table: 'batch_rows', column: 'input', json: true }
]

export interface Relocation {
  from: string
  to: string
  /** Rows whose paths were rewritten. */
  rows: number
}

/**
 * Bring the database's paths to `root` if it was last opened elsewhere. Returns what moved, or
 * null when nothing had to (same place, or a database holding no path yet).
 */
export function relocateDataRoot(db: Db, root: string, target: path.PlatformPath = path): Relocation | null {
  const stored = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(DATA_ROOT_KEY)
  // A database from before this key existed: where its paths point tells where it was.
  const from = stored ? (JSON.parse(stored.value) as string) : inferDataRoot(db)
  if (from === root) {
    if (!stored) remember(db, root)
    return null
  }
  return db.transaction(() => {
    let rows = 0
    if (from !== null) {
      const move = (p: string) => rebasePath(p, from, root, target)
      for (const c of PATH_COLUMNS) rows += rewriteColumn(db, c, from, move)
    }
    remember(db, root)
    return from === null ? null : { from, to: root, rows }
  }).immediate()
}

function remember(db: Db, root: string): void {
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
    DATA_ROOT_KEY,
    JSON.stringify(root)
  )
}

function rewriteColumn(db: Db, c: PathColumn, from: string, move: (p: string) => string | null): number {
  // Only rows that mention the old folder are read; in JSON its backslashes are escaped.
  const needle = c.json ? JSON.stringify(from).slice(1, -1) : from
  const rows = db
    .prepare<[string], { rowid: number; value: string }>(
      `SELECT rowid, ${c.column} AS value FROM ${c.table} WHERE instr(${c.column}, ?) > 0`
    )
    .all(needle)
  const update = db.prepare(`UPDATE ${c.table} SET ${c.column} = ? WHERE rowid = ?`)
  let changed = 0
  for (const r of rows) {
    const next = c.json ? rewriteJson(r.value, move) : move(r.value)
    if (next === null || next === r.value) continue
    update.run(next, r.rowid)
    changed++
  }
  return changed
}

/** The JSON text with every string that is a path under the old folder moved; null if none was. */
function rewriteJson(text: string, move: (p: string) => string | null): string | null {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  let changed = false
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const moved = move(v)
      if (moved === null) return v
      changed = true
      return moved
    }
    if (Array.isArray(v)) return v.map(walk)
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
    }
    return v
  }
  const next = walk(value)
  return changed ? JSON.stringify(next) : null
}

/** Windows paths (a drive letter or a UNC share) use backslashes; every other one, slashes. */
function separatorOf(root: string): '/' | '\\' {
  return /^[A-Za-z]:\\|^\\\\/.test(root) ? '\\' : '/'
}

/**
 * `p` moved from the folder `from` to the folder `to`, or null when it does not lie in `from`.
 * The part below the folder takes the target system's separators (a folder copied from Windows
 * to a Mac keeps working).
 */
export function rebasePath(p: string, from: string, to: string, target: path.PlatformPath = path): string | null {
  const sep = separatorOf(from)
  const prefix = from.endsWith(sep) ? from : from + sep
  if (p !== from && !p.startsWith(prefix)) return null
  const below = p.slice(prefix.length).split(sep).filter(Boolean)
  return target.join(to, ...below)
}

/**
 * Where a database without a remembered folder was last used, from the paths it holds: a step's
 * work folder is <root>/jobs/<job id>/<step folder>, an asset <root>/projects/<project>/assets/<file>.
 * Null when it holds none.
 */
export function inferDataRoot(db: Db): string | null {
  const step = db
    .prepare<[], { job_id: string; work_dir: string }>('SELECT job_id, work_dir FROM steps WHERE work_dir IS NOT NULL LIMIT 1')
    .get()
  if (step) {
    const sep = separatorOf(step.work_dir)
    const at = step.work_dir.lastIndexOf(`${sep}jobs${sep}${step.job_id}${sep}`)
    if (at >= 0) return step.work_dir.slice(0, at) || sep
  }
  const asset = db.prepare<[], { path: string }>('SELECT path FROM assets LIMIT 1').get()
  if (asset) {
    const sep = separatorOf(asset.path)
    const at = asset.path.lastIndexOf(`${sep}projects${sep}`)
    if (at >= 0) return asset.path.slice(0, at) || sep
  }
  return null
}
