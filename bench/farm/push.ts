/**
 * `studio farm push` at size: a local studio with N queued five-step videos (each with its
 * "queued" log line) moved to a farm on a real PostgreSQL in one push — the time of a dry run,
 * of the push itself (read, hold, one farm transaction, local removal), and jobs per second.
 * Prints figures, asserts nothing.
 *
 *   node --import tsx bench/farm/push.ts [--url postgres://…] [--n 2000]
 * Without --url it starts a private cluster (scripts/test-postgres.sh) and stops it at the end.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { stepNeeds } from '../../src/main/engine/farm/capabilities'
import { pushToFarm } from '../../src/main/engine/farm/push'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { openStudio } from '../../src/main/engine/studio'
import { benchDatabase } from './database'

const { values } = parseArgs({ options: { url: { type: 'string' }, n: { type: 'string', default: '2000' } } })
const N = Number(values.n)

const database = await benchDatabase(values.url)
const pool = new pg.Pool({ connectionString: database.url, max: 2 })
try {
  await farmInit(database.url)
  const localDir = mkdtempSync(join(tmpdir(), 'studio-bench-push-local-'))
  const farmDir = mkdtempSync(join(tmpdir(), 'studio-bench-push-farm-'))
  const studio = openStudio({ dataDir: localDir, env: {} })
  studio.queue.enqueueMany(Array.from({ length: N }, (_, i) => ({ type: 'video', input: { idea: `Lighthouse number ${i}`, draft: true } })))
  const options = { db: studio.db, localDir, pool, farmDir, stepNeeds }
  let t = performance.now()
  const dry = await pushToFarm({ ...options, dryRun: true })
  const dryMs = performance.now() - t
  t = performance.now()
  const report = await pushToFarm(options)
  const pushMs = performance.now() - t
  await studio.close(0)
  console.log(`farm push of ${N} queued five-step jobs (${report.logLines} log lines):`)
  console.log(`  dry run   ${dryMs.toFixed(0)} ms (${dry.jobs} jobs would move)`)
  console.log(`  push      ${pushMs.toFixed(0)} ms, ${((report.jobs / pushMs) * 1000).toFixed(0)} jobs/s, ${report.removedHere} removed here`)
} finally {
  await pool.end()
  await database.close()
}
