import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listenForWake, wakeWorkers } from '../../src/main/engine/store/postgres/wake'
import { usePostgres } from '../helpers/postgres'
import { endPool } from '../helpers/pg-pool'

const db = usePostgres()
let pool: pg.Pool
beforeAll(() => {
  pool = new pg.Pool({ connectionString: db.url, max: 2 })
})
afterAll(async () => {
  await endPool(pool)
})

/** Resolves once `check` holds; fails after a generous deadline (a loaded machine), never a fixed sleep. */
async function until(check: () => boolean, deadlineMs = 20_000): Promise<void> {
  const end = Date.now() + deadlineMs
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met before the deadline')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('waking workers', () => {
  it('every listening worker hears a wake-up at commit, once per transaction, and none on rollback', async () => {
    const heard: string[][] = [[], []]
    const listeners = await Promise.all(heard.map((h) => listenForWake(db.url, (reason) => h.push(reason))))
    try {
      const c = await pool.connect()
      try {
        await c.query('BEGIN')
        await wakeWorkers(c)
        await wakeWorkers(c)
        // Not before the commit: a worker woken early would find nothing to claim.
        await c.query('SELECT pg_sleep(0.2)')
        expect(heard).toEqual([[], []])
        await c.query('COMMIT')

        await c.query('BEGIN')
        await wakeWorkers(c, 'rolled-back')
        await c.query('ROLLBACK')

        await wakeWorkers(c, 'after')
      } finally {
        c.release()
      }
      await until(() => heard.every((h) => h.includes('after')))
      // Delivered in commit order: the rolled-back one never.
      expect(heard).toEqual([['jobs', 'after'], ['jobs', 'after']])
    } finally {
      await Promise.all(listeners.map((l) => l.close()))
    }
  })
})
