import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { usePostgres } from '../helpers/postgres'

describe('the PostgreSQL of the tests', () => {
  const db = usePostgres()

  it('is a real server on loopback, and this file has a database of its own', async () => {
    const client = new pg.Client({ connectionString: db.url })
    await client.connect()
    try {
      const { rows } = await client.query<{ db: string; version: string; addr: string | null }>(
        'SELECT current_database() AS db, version() AS version, inet_server_addr()::text AS addr'
      )
      expect(rows[0]!.db).toBe(db.name)
      expect(rows[0]!.version).toMatch(/^PostgreSQL \d+/)
      expect(rows[0]!.addr).toBe('127.0.0.1/32')
      // Empty: nothing another file did is visible here.
      const tables = await client.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public'`)
      expect(tables.rowCount).toBe(0)
    } finally {
      await client.end()
    }
  })
})
