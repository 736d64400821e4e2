/**
 * A connection checked out of the farm's pool and dropped by the server between two of its
 * statements (a restart, `pg_terminate_backend`, a cut link) while its holder computes what to
 * write next — a batch feed validating the rows' inputs, say. node-postgres then emits 'error' on
 * that client, which the pool does not hear for a connection it has lent: unheard, it ended the
 * worker's process (`studio farm worker` crashed under `tests/farm/worker-cli.test.ts`'s dropped
 * connections). Now the holder's next statement fails, the connection is discarded, and the
 * process and the pool go on.
 */
import type { Socket } from 'node:net'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { checkOut } from '../../src/main/engine/store/postgres/transaction'
import { until } from '../helpers/engine'
import { usePostgres, useFreshDatabases } from '../helpers/postgres'

const db = usePostgres()
const freshDatabase = useFreshDatabases(db)

describe('a connection the server drops while it is lent', () => {
  it('fails its holder’s next statement, is discarded, and nothing else stops', async () => {
    const url = await freshDatabase()
    const pool = new pg.Pool({ connectionString: url, max: 2 })
    pool.on('error', () => undefined)
    const other = new pg.Client({ connectionString: url })
    await other.connect()
    try {
      const { client, release } = await checkOut(pool)
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid
      await other.query('SELECT pg_terminate_backend($1)', [pid])
      // The socket closes while no statement of this client runs: that is when 'error' is emitted.
      const socket = (client as unknown as { connection: { stream: Socket } }).connection.stream
      await until(() => socket.destroyed, 30_000, 'the dropped connection’s socket to close')
      await expect(client.query('SELECT 1')).rejects.toThrow()
      release()
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1)
    } finally {
      await other.end()
      await pool.end()
    }
  })
})
