import type { AssetCredit, AssetView, ProjectView } from '../../../shared/types'
import { prep, type Db } from './database'

/** An asset's row to write: its file is already in place (see projects.ts). */
export interface NewAsset {
  id: string
  projectId: string
  name: string
  kind: AssetView['kind']
  path: string
  bytes: number
  createdAt: number
  credit?: AssetCredit | undefined
  /** The stock library's id for it ("pexels:photo:123"), when it came from one. */
  sourceId?: string | undefined
}

/**
 * Projects and their assets (the media a user dropped in; what a storyboard measures of them once is in storyboards.ts). Files are the domain's business
 * (projects.ts); this is only what the database lists. Synchronous on SQLite; on a network
 * database every method returns a promise.
 */
export interface ProjectRecords {
  /** Every project, those named only by jobs (CLI --project, batches) too, oldest first. */
  list(): ProjectView[]
  idOfName(name: string): string | undefined
  idTaken(id: string): boolean
  insert(id: string, name: string, createdAt: number): void

  assets(projectId: string): AssetView[]
  asset(id: string): AssetView | undefined
  /** A stock item already in this project's bin. */
  assetFromSource(projectId: string, sourceId: string): AssetView | undefined
  /** The project's newest asset of a kind. */
  newestAsset(projectId: string, kind: AssetView['kind']): AssetView | undefined
  insertAsset(asset: NewAsset): AssetView
  removeAsset(id: string): void
}

interface StoredAsset {
  id: string
  project_id: string
  name: string
  kind: AssetView['kind']
  path: string
  bytes: number
  created_at: number
  author: string | null
  author_url: string | null
  licence: string | null
  licence_url: string | null
  source_url: string | null
}

const ASSET_COLUMNS = 'id, project_id, name, kind, path, bytes, created_at, author, author_url, licence, licence_url, source_url'

function assetView(r: StoredAsset): AssetView {
  const view: AssetView = { id: r.id, projectId: r.project_id, name: r.name, kind: r.kind, path: r.path, bytes: r.bytes, createdAt: r.created_at }
  if (r.licence && r.source_url) {
    view.credit = { author: r.author ?? '', authorUrl: r.author_url ?? null, licence: r.licence, licenceUrl: r.licence_url ?? null, sourceUrl: r.source_url }
  }
  return view
}

export class SqliteProjectRecords implements ProjectRecords {
  constructor(private readonly db: Db) {}

  list(): ProjectView[] {
    return prep<[], { id: string; name: string; created_at: number; jobs: number; assets: number }>(
      this.db,
      `WITH names AS (
         SELECT id, name, created_at FROM projects
         UNION SELECT project_id, project_id, MIN(created_at) FROM jobs WHERE project_id NOT IN (SELECT id FROM projects) GROUP BY project_id)
       SELECT n.id, n.name, n.created_at,
              (SELECT COUNT(*) FROM jobs j WHERE j.project_id = n.id) AS jobs,
              (SELECT COUNT(*) FROM assets a WHERE a.project_id = n.id) AS assets
       FROM names n ORDER BY n.created_at`
    )
      .all()
      .map((r) => ({ id: r.id, name: r.name, jobCount: r.jobs, assetCount: r.assets, createdAt: r.created_at }))
  }

  idOfName(name: string): string | undefined {
    return prep<[string], { id: string }>(this.db, 'SELECT id FROM projects WHERE name = ?').get(name)?.id
  }

  idTaken(id: string): boolean {
    return prep<[string], { n: number }>(this.db, 'SELECT COUNT(*) AS n FROM projects WHERE id = ?').get(id)!.n > 0
  }

  insert(id: string, name: string, createdAt: number): void {
    prep(this.db, 'INSERT INTO projects (id, name, created_at) VALUES (?, ?, ?)').run(id, name, createdAt)
  }

  assets(projectId: string): AssetView[] {
    return prep<[string], StoredAsset>(this.db, `SELECT ${ASSET_COLUMNS} FROM assets WHERE project_id = ? ORDER BY created_at`).all(projectId).map(assetView)
  }

  asset(id: string): AssetView | undefined {
    const row = prep<[string], StoredAsset>(this.db, `SELECT ${ASSET_COLUMNS} FROM assets WHERE id = ?`).get(id)
    return row && assetView(row)
  }

  assetFromSource(projectId: string, sourceId: string): AssetView | undefined {
    const row = prep<[string, string], StoredAsset>(
      this.db,
      `SELECT ${ASSET_COLUMNS} FROM assets WHERE project_id = ? AND source_id = ? ORDER BY created_at LIMIT 1`
    ).get(projectId, sourceId)
    return row && assetView(row)
  }

  newestAsset(projectId: string, kind: AssetView['kind']): AssetView | undefined {
    const row = prep<[string, string], StoredAsset>(
      this.db,
      `SELECT ${ASSET_COLUMNS} FROM assets WHERE project_id = ? AND kind = ? ORDER BY created_at DESC LIMIT 1`
    ).get(projectId, kind)
    return row && assetView(row)
  }

  insertAsset(a: NewAsset): AssetView {
    prep(
      this.db,
      `INSERT INTO assets (id, project_id, name, kind, path, bytes, created_at, author, author_url, licence, licence_url, source_url, source_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
    ).run(
      a.id,
      a.projectId,
      a.name,
      a.kind,
      a.path,
      a.bytes,
      a.createdAt,
      a.credit?.author ?? null,
      a.credit?.authorUrl ?? null,
      a.credit?.licence ?? null,
      a.credit?.licenceUrl ?? null,
      a.credit?.sourceUrl ?? null,
      a.sourceId ?? null
    )
    return this.asset(a.id)!
  }

  removeAsset(id: string): void {
    prep(this.db, 'DELETE FROM assets WHERE id = ?').run(id)
  }
}
