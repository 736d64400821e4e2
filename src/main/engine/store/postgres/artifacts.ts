/**
 * A storyboard render's artifact cache and its assets' facts in the farm's database: what a farm
 * worker's storyboard steps read and write (storyboards/artifact-cache.ts over ArtifactStore).
 * Every worker reads the same rows, so a render after an edit reuses what any worker made before,
 * whichever takes it: content addressing holds across the farm.
 *
 * Paths are stored relative to the shared data folder and read back under this worker's own
 * mount: an artifact's files as ArtifactCache writes them (relative already), an asset's file as
 * `studio farm push` and a window's render write it (the schema holds it relative). A stored path
 * that would leave the folder (`..`, absolute) resolves to no file, and the step says the file is
 * missing. An artifact's data goes through the farm's shared JSON form, in case it names a path.
 */
import type pg from 'pg'
import type { JsonValue } from '../../../../shared/types'
import { DATA_PREFIX, fromStoredJson, localString, toStoredJson } from '../../farm/shared-json'
import type { ArtifactStore, AssetFacts, CachedArtifact } from '../storyboards'
import { inPgTransaction } from './transaction'

export class PgArtifactStore implements ArtifactStore {
  constructor(
    private readonly db: pg.Pool,
    /** The shared data folder as this machine mounts it. */
    private readonly dataDir: string,
    private readonly now: () => number = Date.now
  ) {}

  async cached(projectId: string, key: string): Promise<CachedArtifact | null> {
    const { rows } = await this.db.query<{ kind: string; data: string; files: string; cost_usd: number | null; provider: string | null }>(
      'SELECT kind, data, files, cost_usd, provider FROM artifacts WHERE project_id = $1 AND key = $2',
      [projectId, key]
    )
    const row = rows[0]
    if (!row) return null
    return {
      kind: row.kind,
      data: fromStoredJson(this.dataDir, JSON.parse(row.data) as JsonValue),
      files: JSON.parse(row.files) as Record<string, string>,
      costUsd: row.cost_usd,
      provider: row.provider
    }
  }

  async cachedKeys(projectId: string, keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set()
    const { rows } = await this.db.query<{ key: string }>('SELECT key FROM artifacts WHERE project_id = $1 AND key = ANY($2::text[])', [projectId, [...keys]])
    return new Set(rows.map((r) => r.key))
  }

  /** The same content makes the same artifact: a second worker's write of a key replaces the first's row, both valid. */
  async storeArtifact(projectId: string, key: string, a: CachedArtifact): Promise<void> {
    await this.db.query(
      `INSERT INTO artifacts (project_id, key, kind, data, files, cost_usd, provider, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (project_id, key) DO UPDATE SET kind = EXCLUDED.kind, data = EXCLUDED.data, files = EXCLUDED.files,
         cost_usd = EXCLUDED.cost_usd, provider = EXCLUDED.provider, created_at = EXCLUDED.created_at`,
      [projectId, key, a.kind, JSON.stringify(toStoredJson(this.dataDir, (a.data ?? null) as JsonValue)), JSON.stringify(a.files), a.costUsd, a.provider, this.now()]
    )
  }

  async forgetArtifact(projectId: string, key: string): Promise<void> {
    await this.db.query('DELETE FROM artifacts WHERE project_id = $1 AND key = $2', [projectId, key])
  }

  async assetFacts(assetId: string): Promise<AssetFacts | null> {
    const { rows } = await this.db.query<{ project_id: string; kind: string; path: string; name: string; sha256: string | null; duration_sec: number | null }>(
      'SELECT project_id, kind, path, name, sha256, duration_sec FROM assets WHERE id = $1',
      [assetId]
    )
    const row = rows[0]
    if (!row) return null
    return {
      projectId: row.project_id,
      kind: row.kind,
      // Stored relative with forward slashes (toDataRelative): under this machine's mount.
      path: localString(this.dataDir, DATA_PREFIX + row.path),
      name: row.name,
      sha256: row.sha256,
      durationSec: row.duration_sec
    }
  }

  async saveAssetFacts(assetId: string, facts: { sha256: string; durationSec: number | null }): Promise<void> {
    await this.db.query('UPDATE assets SET sha256 = $1, duration_sec = $2 WHERE id = $3', [facts.sha256, facts.durationSec, assetId])
  }
}

/** A project asset as a render takes it to the farm: its path relative to the shared data folder. */
export interface FarmRenderAsset {
  id: string
  projectId: string
  name: string
  kind: string
  path: string
  bytes: number
  sha256: string | null
  durationSec: number | null
  createdAt: number
}

/** What the farm holds of these assets (path relative, hash), by id. */
export async function farmAssets(db: pg.Pool, ids: readonly string[]): Promise<Map<string, { path: string; sha256: string | null }>> {
  if (ids.length === 0) return new Map()
  const { rows } = await db.query<{ id: string; path: string; sha256: string | null }>('SELECT id, path, sha256 FROM assets WHERE id = ANY($1::text[])', [[...ids]])
  return new Map(rows.map((r) => [r.id, { path: r.path, sha256: r.sha256 }]))
}

/**
 * The project and the assets a render uses, written on the farm in one transaction: the project
 * when the farm has none of that id (one of the same name under another id is the farm's own,
 * kept, as `farm push` keeps it), each asset inserted or brought up to date (its file may have
 * been replaced here since the last render: the hash says so).
 */
export async function upsertRenderAssets(db: pg.Pool, project: { id: string; name: string; createdAt: number }, assets: readonly FarmRenderAsset[]): Promise<void> {
  await inPgTransaction(db, async (tx) => {
    const q = tx.query.bind(tx) as pg.ClientBase['query']
    await q('INSERT INTO projects (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [project.id, project.name, project.createdAt])
    if (assets.length === 0) return
    const a = assets
    await q(
      `INSERT INTO assets (id, project_id, name, kind, path, bytes, sha256, duration_sec, created_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::double precision[], $9::bigint[])
       ON CONFLICT (id) DO UPDATE SET project_id = EXCLUDED.project_id, name = EXCLUDED.name, kind = EXCLUDED.kind, path = EXCLUDED.path,
         bytes = EXCLUDED.bytes, sha256 = EXCLUDED.sha256, duration_sec = EXCLUDED.duration_sec`,
      [
        a.map((x) => x.id), a.map((x) => x.projectId), a.map((x) => x.name), a.map((x) => x.kind), a.map((x) => x.path), a.map((x) => x.bytes),
        a.map((x) => x.sha256), a.map((x) => x.durationSec), a.map((x) => x.createdAt)
      ]
    )
  })
}
