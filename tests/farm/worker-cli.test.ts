/**
 * `studio farm worker` refusing to start, and surviving its connections being cut, as a real
 * process of the built CLI on a real PostgreSQL: without a shared folder it says how to give
 * one; with a folder it cannot use, or timings that make no sense, it says why and exits 1; when
 * the server drops every one of its connections (as a restart does), it logs it, reconnects and
 * goes on claiming.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { jobState, startWorker, useFarm, videoJob, waitFor, workerId, type WorkerProcess } from '../helpers/farm-worker'
import { testDataDir } from '../helpers/farm-jobs'

const run = promisify(execFile)
const farm = useFarm()

async function studio(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/studio.mjs', ...args], { env: { ...process.env, STUDIO_QUEUE_URL: '', ...env }, timeout: 60_000 })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

describe('studio farm worker, refusing and reconnecting', () => {
  it('is listed in studio --help', async () => {
    const { stdout } = await studio(['--help'])
    expect(stdout).toContain('farm worker --data-dir SHARED')
  })

  it('needs the shared folder, and refuses one it cannot use, saying why', async () => {
    const none = await studio(['--queue-url', farm.url, 'farm', 'worker'], { STUDIO_DATA_DIR: '' })
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('--data-dir SHARED')
    const missing = join(farm.dataDir, 'not-mounted')
    const refused = await studio(['--json', '--queue-url', farm.url, 'farm', 'worker', '--data-dir', missing, '--local-dir', testDataDir()])
    expect(refused.code).toBe(1)
    const error = JSON.parse(refused.stderr) as { error: { code: string; message: string } }
    expect(error.error.code).toBe('worker-refused')
    expect(error.error.message).toContain(`${missing} does not exist on this machine`)
    // Options of the worker only are refused elsewhere.
    expect((await studio(['--queue-url', farm.url, 'farm', 'status', '--concurrency', '2'])).code).toBe(2)
  })

  it('refuses timings that make no sense, naming the field', async () => {
    const bad = await studio(['--queue-url', farm.url, 'farm', 'worker', '--data-dir', farm.dataDir, '--local-dir', testDataDir()], {
      STUDIO_FARM_WORKER_TIMINGS: '{"leaseMs":-5}'
    })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('STUDIO_FARM_WORKER_TIMINGS.leaseMs')
  })

  it('survives the server dropping its connections: it logs it, reconnects and goes on', async () => {
    const w = startWorker(farm.url, farm.dataDir, { concurrency: 1 })
    farm.workers.push(w)
    await workerId(w)
    // Every connection of the worker, idle ones of its pool and its two LISTEN connections.
    const cut = await farm.user.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND (application_name = 'studio farm worker' OR query LIKE 'LISTEN %')`
    )
    expect(cut.rowCount).toBeGreaterThanOrEqual(2)
    await waitFor(() => w.output().includes('listening for wake-ups again'), 30_000, 'the worker to listen again', w.output)
    const job = await farm.user.store.enqueue(videoJob(1))
    await waitFor(async () => (await jobState(farm.user.pool, job.id)).status === 'completed', 240_000, 'the job to complete', w.output)
    expect(w.child.exitCode).toBeNull()
  }, 300_000)
})
