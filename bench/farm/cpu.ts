/**
 * CPU time of a bench run on one machine, from /proc: the processes that do the work (our worker
 * processes, or this process where graphile-worker runs) and the PostgreSQL backends serving the
 * bench's database (one per connection). Wall time alone says little on a shared two-core machine:
 * the CPU a job costs is what the queue, not the neighbours, decides.
 */
import { readFileSync } from 'node:fs'
import type pg from 'pg'

const TICK_MS = 10 // USER_HZ is 100 on Linux

/** utime + stime of a process in ms; 0 when it is gone (or /proc is not there). */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces) in parentheses: utime is the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS
  } catch {
    return 0
  }
}

export interface CpuMark {
  at: Map<number, number>
}

/** The backends of the pool's database, this process excluded from nothing: every session on it. */
async function backendPids(pool: pg.Pool): Promise<number[]> {
  const { rows } = await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')
  return rows.map((r) => r.pid)
}

/** A mark before a run: the CPU so far of `pids` and of the database's backends. */
export async function cpuMark(pool: pg.Pool, pids: readonly number[]): Promise<CpuMark> {
  const at = new Map<number, number>()
  for (const pid of [...pids, ...(await backendPids(pool))]) at.set(pid, cpuMsOf(pid))
  return { at }
}

/**
 * CPU ms used since `mark` by `pids` and by the database's backends (those that started since
 * count from zero); split into the workers' processes and PostgreSQL's.
 */
export async function cpuSince(pool: pg.Pool, mark: CpuMark, pids: readonly number[]): Promise<{ clientMs: number; serverMs: number }> {
  let clientMs = 0
  for (const pid of pids) clientMs += cpuMsOf(pid) - (mark.at.get(pid) ?? 0)
  let serverMs = 0
  for (const pid of await backendPids(pool)) if (!pids.includes(pid)) serverMs += cpuMsOf(pid) - (mark.at.get(pid) ?? 0)
  return { clientMs, serverMs }
}
