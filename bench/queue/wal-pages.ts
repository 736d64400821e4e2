/**
 * Where the queue's commits write: WAL pages per commit, by table and index, for no-op jobs.
 *
 *   node --import tsx bench/queue/wal-pages.ts [--n 3000] [--concurrency 2[,8]]
 *
 * Each page a transaction dirties is one WAL frame (two writes), and later a copy back into the
 * database file at a checkpoint: at these rates the page count, not the SQL, is most of a commit's
 * cost. Automatic checkpoints are turned off while the jobs run so that every frame stays in the
 * WAL; each frame's page is then attributed to its b-tree through SQLite's dbstat table.
 * It prints figures; it asserts nothing.
 */
import Database from 'better-sqlite3'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { databaseFile } from '../../src/main/engine/engine'
import { openNoopEngine, payload } from './noop-engine'

interface Frame {
  page: number
  /** The last frame of a transaction carries the database size; others carry 0. */
  commits: boolean
}

/** The WAL's frames in order (header: 32 bytes; each frame: a 24-byte header, then the page). */
function walFrames(file: string): Frame[] {
  const wal = readFileSync(file)
  const pageSize = wal.readUInt32BE(8)
  const frames: Frame[] = []
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    frames.push({ page: wal.readUInt32BE(at), commits: wal.readUInt32BE(at + 4) !== 0 })
  }
  return frames
}

/** Which b-tree each page belongs to, as the database (WAL included) now stands. */
function pageOwners(file: string): Map<number, string> {
  const db = new Database(file, { readonly: true })
  try {
    const rows = db.prepare<[], { name: string; pageno: number; pagetype: string }>('SELECT name, pageno, pagetype FROM dbstat').all()
    return new Map(rows.map((r) => [r.pageno, r.pagetype === 'internal' ? `${r.name} (interior)` : r.name]))
  } finally {
    db.close()
  }
}

async function measure(n: number, concurrency: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'queue-wal-'))
  try {
    const engine = openNoopEngine(dataDir, concurrency)
    engine.queue.enqueueMany(Array.from({ length: n }, (_, i) => ({ type: 'noop', input: payload(i) })))
    // Start from an empty WAL and keep every frame the run writes.
    engine.db.pragma('wal_checkpoint(TRUNCATE)')
    engine.db.pragma('wal_autocheckpoint = 0')
    engine.pool.start()
    await engine.pool.whenIdle()

    const file = databaseFile(dataDir)
    const frames = walFrames(`${file}-wal`)
    const owners = pageOwners(file)
    const commits = frames.filter((f) => f.commits).length
    const byTree = new Map<string, number>()
    for (const f of frames) {
      const tree = owners.get(f.page) ?? 'freed page'
      byTree.set(tree, (byTree.get(tree) ?? 0) + 1)
    }
    await engine.close()

    console.log(
      `\nconcurrency ${concurrency}, ${n} jobs: ${commits} commits, ${frames.length} pages written — ` +
        `${(frames.length / commits).toFixed(1)} per commit, ${(frames.length / n).toFixed(2)} per job`
    )
    for (const [tree, count] of [...byTree].sort((a, b) => b[1] - a[1])) {
      console.log(`${(count / commits).toFixed(2).padStart(8)} per commit  ${((100 * count) / frames.length).toFixed(0).padStart(3)} %  ${tree}`)
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

const { values } = parseArgs({ options: { n: { type: 'string', default: '3000' }, concurrency: { type: 'string', default: '2,8' } } })
for (const c of values.concurrency!.split(',').map(Number)) await measure(Number(values.n), c)
