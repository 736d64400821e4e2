/**
 * The farm's name for its shared data folder: a random id kept in the farm's `settings` table and
 * written into the folder itself (farm/share-mark.ts), so that a machine can tell the farm's share
 * from an empty mount point or another farm's folder. No migration: `settings` is a key/value
 * table of version 1.
 */
import type pg from 'pg'

const SHARE_ID_KEY = 'farm.share_id'

type Queryable = Pick<pg.Client, 'query'>

/** The farm's share id, or null when no machine has marked a share yet. */
export async function readShareId(db: Queryable): Promise<string | null> {
  const { rows } = await db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [SHARE_ID_KEY])
  return rows[0]?.value ?? null
}

/** Sets the farm's share id to `id` unless one is set already (two machines at once: the first wins); the id it has now. */
export async function adoptShareId(db: Queryable, id: string): Promise<string> {
  await db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [SHARE_ID_KEY, id])
  return (await readShareId(db)) ?? id
}
