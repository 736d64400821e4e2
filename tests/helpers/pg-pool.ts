/**
 * Closing a pg.Pool in a test, for real. `pool.end()` (pg-pool 3.14) resolves as soon as its list
 * of clients is empty, and it empties that list before each client's connection has closed
 * (`_remove` drops the client, then calls `client.end()` without waiting). The file's database is
 * dropped right after (tests/helpers/postgres.ts: DROP DATABASE … WITH (FORCE)), which terminates
 * the connections still open; each one then receives FATAL 57P01 "terminating connection due to
 * administrator command", which the pool's idle listener re-emits as an 'error' event on a pool
 * nobody listens to any more: an uncaught exception, reported against the test file.
 *
 * Waiting for every client's 'remove' (emitted once its connection has ended) closes that window
 * without an 'error' listener that would also hide a real failure.
 */
import type pg from 'pg'

export async function endPool(pool: pg.Pool): Promise<void> {
  let open = pool.totalCount
  const closed = new Promise<void>((resolve) => {
    if (open === 0) return resolve()
    pool.on('remove', () => {
      if (--open === 0) resolve()
    })
  })
  await pool.end()
  await closed
}
