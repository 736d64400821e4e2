import { randomUUID } from 'node:crypto'
import { QueueError } from '../errors'
import type { Awaitable } from './awaitable'
import type { StoryboardDoc } from '../storyboards/document'
import { inTransaction, prep, type Db } from './database'

/** How many revisions a storyboard keeps for undo; older ones go as new edits come. */
export const KEPT_REVISIONS = 500

export interface StoredStoryboard {
  id: string
  projectId: string
  revision: number
  head: number
  /** Oldest revision still kept (undo stops there). */
  oldest: number
  doc: StoryboardDoc
  createdAt: number
  updatedAt: number
}

export interface StoredRender {
  jobId: string
  revision: number
  draft: boolean
  sceneId: string | null
  createdAt: number
  /** Queued on a studio farm: its job is the farm's (migration 17). */
  onFarm: boolean
}

export interface CachedArtifact {
  kind: string
  data: unknown
  /** Artifact name → path relative to the data folder. */
  files: Record<string, string>
  costUsd: number | null
  provider: string | null
}

interface BoardRow {
  id: string
  project_id: string
  revision: number
  head: number
  oldest: number
  doc: string
  created_at: number
  updated_at: number
}

export interface AssetFacts {
  projectId: string
  kind: string
  path: string
  name: string
  sha256: string | null
  durationSec: number | null
}

/**
 * What a storyboard render's steps read and write while they run: the content-addressed artifact
 * cache and what a render measures of an asset once. Its own interface because a farm worker
 * keeps it in the farm's PostgreSQL (postgres/artifacts.ts), where every worker finds what
 * another made; SQLite answers inside the call (an awaited value costs its caller nothing more).
 * Artifact files are relative to the data folder; an asset's path is absolute on this machine.
 */
export interface ArtifactStore {
  cached(projectId: string, key: string): Awaitable<CachedArtifact | null>
  cachedKeys(projectId: string, keys: readonly string[]): Awaitable<Set<string>>
  storeArtifact(projectId: string, key: string, a: CachedArtifact): Awaitable<void>
  forgetArtifact(projectId: string, key: string): Awaitable<void>
  assetFacts(assetId: string): Awaitable<AssetFacts | null>
  saveAssetFacts(assetId: string, facts: { sha256: string; durationSec: number | null }): Awaitable<void>
}

/**
 * Storyboards, their revisions and renders, the content-addressed artifact cache, and what a
 * storyboard measures of an asset once. Plain domain values in and out; each change is one
 * transaction. Synchronous on SQLite; on a network database every method returns a promise
 * (`recordRender` then takes the enqueue's transaction, see Transactions).
 */
export interface StoryboardStore {
  create(projectId: string, doc: StoryboardDoc, id?: string): StoredStoryboard
  get(id: string): StoredStoryboard | null
  require(id: string): StoredStoryboard
  list(projectId?: string): StoredStoryboard[]
  /** Write `doc` as the next revision; `expected` refuses an edit made on an older copy. */
  commitEdit(id: string, doc: StoryboardDoc, op: string, expected?: number): StoredStoryboard
  /** Move to an existing revision (undo: one back; redo: one forward). */
  moveTo(id: string, step: -1 | 1): StoredStoryboard
  docAt(id: string, revision: number): StoryboardDoc | null
  remove(id: string): void
  recordRender(id: string, jobId: string, revision: number, draft: boolean, sceneId: string | null, onFarm?: boolean): void
  renders(id: string, limit?: number): StoredRender[]
  renderOf(jobId: string): { storyboardId: string; revision: number } | null
  cached(projectId: string, key: string): CachedArtifact | null
  cachedKeys(projectId: string, keys: readonly string[]): Set<string>
  storeArtifact(projectId: string, key: string, a: CachedArtifact): void
  forgetArtifact(projectId: string, key: string): void
  assetFacts(assetId: string): AssetFacts | null
  saveAssetFacts(assetId: string, facts: { sha256: string; durationSec: number | null }): void
}

export class SqliteStoryboardStore implements StoryboardStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now
  ) {}

  create(projectId: string, doc: StoryboardDoc, id: string = randomUUID()): StoredStoryboard {
    const now = this.now()
    inTransaction(this.db, () => {
      prep(this.db, 'INSERT INTO storyboards (id, project_id, revision, head, created_at, updated_at) VALUES (?, ?, 1, 1, ?, ?)').run(id, projectId, now, now)
      this.insertRevision(id, 1, doc, 'create', now)
    })
    return this.require(id)
  }

  get(id: string): StoredStoryboard | null {
    const row = prep<[string], BoardRow>(
      this.db,
      `SELECT b.*, r.doc, (SELECT MIN(revision) FROM storyboard_revisions WHERE storyboard_id = b.id) AS oldest
       FROM storyboards b JOIN storyboard_revisions r ON r.storyboard_id = b.id AND r.revision = b.revision
       WHERE b.id = ?`
    ).get(id)
    return row ? fromRow(row) : null
  }

  require(id: string): StoredStoryboard {
    const found = this.get(id)
    if (!found) throw new QueueError('not_found', `no storyboard with id ${id}`)
    return found
  }

  list(projectId?: string): StoredStoryboard[] {
    const where = projectId === undefined ? '' : 'WHERE b.project_id = ?'
    const rows = prep<string[], BoardRow>(
      this.db,
      `SELECT b.*, r.doc, 0 AS oldest
       FROM storyboards b JOIN storyboard_revisions r ON r.storyboard_id = b.id AND r.revision = b.revision
       ${where} ORDER BY b.updated_at DESC`
    ).all(...(projectId === undefined ? [] : [projectId]))
    return rows.map(fromRow)
  }

  /**
   * Write `doc` as the next revision. Revisions after the current one (undone edits) are dropped:
   * a new edit ends the redo branch, as in every editor. `expected` refuses an edit made on a
   * copy older than what is stored.
   */
  commitEdit(id: string, doc: StoryboardDoc, op: string, expected?: number): StoredStoryboard {
    inTransaction(this.db, () => {
      const board = this.require(id)
      if (expected !== undefined && expected !== board.revision) {
        throw new QueueError('conflict', `revision: the storyboard is at revision ${board.revision}, not ${expected} (it changed elsewhere; reload it)`)
      }
      const next = board.revision + 1
      const now = this.now()
      prep(this.db, 'DELETE FROM storyboard_revisions WHERE storyboard_id = ? AND revision >= ?').run(id, next)
      this.insertRevision(id, next, doc, op, now)
      prep(this.db, 'DELETE FROM storyboard_revisions WHERE storyboard_id = ? AND revision <= ?').run(id, next - KEPT_REVISIONS)
      prep(this.db, 'UPDATE storyboards SET revision = ?, head = ?, updated_at = ? WHERE id = ?').run(next, next, now, id)
    })
    return this.require(id)
  }

  /** Move to an existing revision (undo: one back; redo: one forward). */
  moveTo(id: string, step: -1 | 1): StoredStoryboard {
    inTransaction(this.db, () => {
      const board = this.require(id)
      const target = board.revision + step
      if (step < 0 && target < board.oldest) throw new QueueError('nothing_to_undo', 'nothing to undo')
      if (step > 0 && target > board.head) throw new QueueError('nothing_to_redo', 'nothing to redo')
      prep(this.db, 'UPDATE storyboards SET revision = ?, updated_at = ? WHERE id = ?').run(target, this.now(), id)
    })
    return this.require(id)
  }

  /** The document as it was at a revision (a render's own snapshot). */
  docAt(id: string, revision: number): StoryboardDoc | null {
    const row = prep<[string, number], { doc: string }>(this.db, 'SELECT doc FROM storyboard_revisions WHERE storyboard_id = ? AND revision = ?').get(id, revision)
    return row ? (JSON.parse(row.doc) as StoryboardDoc) : null
  }

  remove(id: string): void {
    this.require(id)
    prep(this.db, 'DELETE FROM storyboards WHERE id = ?').run(id)
  }

  /**
   * Remember that a job renders this storyboard at this revision (in the enqueue's transaction; a
   * farm's job is queued on the farm first, then recorded here).
   */
  recordRender(id: string, jobId: string, revision: number, draft: boolean, sceneId: string | null, onFarm = false): void {
    prep(this.db, 'INSERT INTO storyboard_renders (job_id, storyboard_id, revision, draft, scene_id, created_at, on_farm) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      jobId,
      id,
      revision,
      draft ? 1 : 0,
      sceneId,
      this.now(),
      onFarm ? 1 : 0
    )
  }

  /** Renders whose job still exists here, and those queued on a farm (their job is the farm's to find), newest first. */
  renders(id: string, limit = 50): StoredRender[] {
    return prep<[string, number], { job_id: string; revision: number; draft: number; scene_id: string | null; created_at: number; on_farm: number }>(
      this.db,
      `SELECT r.* FROM storyboard_renders r LEFT JOIN jobs j ON j.id = r.job_id
       WHERE r.storyboard_id = ? AND (j.id IS NOT NULL OR r.on_farm = 1) ORDER BY r.created_at DESC, j.seq DESC LIMIT ?`
    )
      .all(id, limit)
      .map((r) => ({ jobId: r.job_id, revision: r.revision, draft: r.draft === 1, sceneId: r.scene_id, createdAt: r.created_at, onFarm: r.on_farm === 1 }))
  }

  /** The storyboard a render job belongs to. */
  renderOf(jobId: string): { storyboardId: string; revision: number } | null {
    const row = prep<[string], { storyboard_id: string; revision: number }>(this.db, 'SELECT storyboard_id, revision FROM storyboard_renders WHERE job_id = ?').get(jobId)
    return row ? { storyboardId: row.storyboard_id, revision: row.revision } : null
  }

  // ------------------------------------------------------------ the artifact cache

  cached(projectId: string, key: string): CachedArtifact | null {
    const row = prep<[string, string], { kind: string; data: string; files: string; cost_usd: number | null; provider: string | null }>(
      this.db,
      'SELECT kind, data, files, cost_usd, provider FROM artifacts WHERE project_id = ? AND key = ?'
    ).get(projectId, key)
    return row ? { kind: row.kind, data: JSON.parse(row.data), files: JSON.parse(row.files), costUsd: row.cost_usd, provider: row.provider } : null
  }

  /** Which of these keys have an artifact (a render plan counts what it would reuse). */
  cachedKeys(projectId: string, keys: readonly string[]): Set<string> {
    if (keys.length === 0) return new Set()
    const rows = prep<[string, string], { key: string }>(
      this.db,
      'SELECT key FROM artifacts WHERE project_id = ? AND key IN (SELECT value FROM json_each(?))'
    ).all(projectId, JSON.stringify(keys))
    return new Set(rows.map((r) => r.key))
  }

  storeArtifact(projectId: string, key: string, a: CachedArtifact): void {
    prep(
      this.db,
      `INSERT OR REPLACE INTO artifacts (project_id, key, kind, data, files, cost_usd, provider, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
    ).run(projectId, key, a.kind, JSON.stringify(a.data), JSON.stringify(a.files), a.costUsd, a.provider, this.now())
  }

  forgetArtifact(projectId: string, key: string): void {
    prep(this.db, 'DELETE FROM artifacts WHERE project_id = ? AND key = ?').run(projectId, key)
  }

  // ------------------------------------------------------------ what assets measure once

  assetFacts(assetId: string): AssetFacts | null {
    const row = prep<[string], { project_id: string; kind: string; path: string; name: string; sha256: string | null; duration_sec: number | null }>(
      this.db,
      'SELECT project_id, kind, path, name, sha256, duration_sec FROM assets WHERE id = ?'
    ).get(assetId)
    return row ? { projectId: row.project_id, kind: row.kind, path: row.path, name: row.name, sha256: row.sha256, durationSec: row.duration_sec } : null
  }

  saveAssetFacts(assetId: string, facts: { sha256: string; durationSec: number | null }): void {
    prep(this.db, 'UPDATE assets SET sha256 = ?, duration_sec = ? WHERE id = ?').run(facts.sha256, facts.durationSec, assetId)
  }

  private insertRevision(id: string, revision: number, doc: StoryboardDoc, op: string, now: number): void {
    prep(this.db, 'INSERT INTO storyboard_revisions (storyboard_id, revision, doc, edit, created_at) VALUES (?, ?, ?, ?, ?)').run(
      id,
      revision,
      JSON.stringify(doc),
      op,
      now
    )
  }
}

function fromRow(r: BoardRow): StoredStoryboard {
  return {
    id: r.id,
    projectId: r.project_id,
    revision: r.revision,
    head: r.head,
    oldest: r.oldest,
    doc: JSON.parse(r.doc) as StoryboardDoc,
    createdAt: r.created_at,
    updatedAt: r.updated_at
  }
}
