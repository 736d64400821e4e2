/**
 * The farm's side of `studio farm push`: what is already there, and the write of everything moved
 * in one transaction — jobs with all their steps (finished ones with their output, files, attempts
 * and times, so no worker runs them again) and their log lines, batches with their rows,
 * storyboards with their revisions and renders, projects and assets. A row whose id the farm
 * already has is left as it is and reported (a push run twice adds nothing); a job skipped so
 * brings none of its steps or lines.
 *
 * Paths arrive relative to the shared data folder where the schema wants them so (steps' files
 * and work folders, assets); the caller has moved every other path. Queue order: the jobs get new
 * positions from the queue's sequence in the order given (the caller gives them in their local
 * queue order), so among equal priorities they come after what the farm already holds, in the
 * order they had here; their numbers (seq) are drawn in that same order.
 */
import type pg from 'pg'
import type { PushArtifact, PushAsset, PushBatch, PushJob, PushProject, PushStoryboard } from '../push-reads'
import { notifyJobChanges } from './job-events'
import { inPgTransaction } from './transaction'
import { wakeWorkers } from './wake'

/** A job as the farm stores it: files and work folders relative, what its next step needs of a worker. */
export type FarmPushJob = PushJob & { nextNeeds: readonly string[] }

export interface FarmPush {
  jobs: readonly FarmPushJob[]
  batches: readonly PushBatch[]
  storyboards: readonly PushStoryboard[]
  projects: readonly PushProject[]
  assets: readonly PushAsset[]
  /** Storyboard renders' artifact cache, files relative to the shared folder (a key the farm has is kept: the same content). */
  artifacts?: readonly PushArtifact[]
  /** Names this push in the NOTIFY it sends, as a job store does. */
  origin: string
}

export interface FarmPushWritten {
  jobs: string[]
  batches: string[]
  storyboards: string[]
  projects: string[]
  assets: string[]
  stepsKept: number
  logLines: number
}

/** Which of these ids each table of the farm already has. */
export async function alreadyOnFarm(
  db: pg.Pool | pg.ClientBase,
  ids: { jobs: readonly string[]; batches: readonly string[]; storyboards: readonly string[]; projects: readonly string[]; assets: readonly string[] }
): Promise<{ jobs: Set<string>; batches: Set<string>; storyboards: Set<string>; projects: Set<string>; assets: Set<string> }> {
  const has = async (table: string, list: readonly string[]) => {
    if (list.length === 0) return new Set<string>()
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM ${table} WHERE id = ANY($1::text[])`, [[...list]])
    return new Set(rows.map((r) => r.id))
  }
  return {
    jobs: await has('jobs', ids.jobs),
    batches: await has('batches', ids.batches),
    storyboards: await has('storyboards', ids.storyboards),
    projects: await has('projects', ids.projects),
    assets: await has('assets', ids.assets)
  }
}

const json = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v))

/** Writes the push in one transaction; the jobs are announced to every window and wake the workers at its commit. */
export function writeFarmPush(pool: pg.Pool, push: FarmPush): Promise<FarmPushWritten> {
  return inPgTransaction(pool, async (tx) => {
    const q = tx.query.bind(tx) as pg.ClientBase['query']
    const written: FarmPushWritten = { jobs: [], batches: [], storyboards: [], projects: [], assets: [], stepsKept: 0, logLines: 0 }

    if (push.projects.length) {
      const p = push.projects
      // ON CONFLICT without a target: a project of the same name under another id is the farm's own, kept.
      const { rows } = await q<{ id: string }>(
        `INSERT INTO projects (id, name, created_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ON CONFLICT DO NOTHING RETURNING id`,
        [p.map((x) => x.id), p.map((x) => x.name), p.map((x) => x.createdAt)]
      )
      written.projects = rows.map((r) => r.id)
    }
    if (push.assets.length) {
      const a = push.assets
      const { rows } = await q<{ id: string }>(
        `INSERT INTO assets (id, project_id, name, kind, path, bytes, sha256, duration_sec, author, author_url, licence, licence_url, source_url, source_id, created_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::double precision[],
                              $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::bigint[])
         ON CONFLICT DO NOTHING RETURNING id`,
        [
          a.map((x) => x.id), a.map((x) => x.projectId), a.map((x) => x.name), a.map((x) => x.kind), a.map((x) => x.path), a.map((x) => x.bytes),
          a.map((x) => x.sha256), a.map((x) => x.durationSec), a.map((x) => x.author), a.map((x) => x.authorUrl), a.map((x) => x.licence),
          a.map((x) => x.licenceUrl), a.map((x) => x.sourceUrl), a.map((x) => x.sourceId), a.map((x) => x.createdAt)
        ]
      )
      written.assets = rows.map((r) => r.id)
    }

    if (push.artifacts?.length) {
      const a = push.artifacts
      await q(
        `INSERT INTO artifacts (project_id, key, kind, data, files, cost_usd, provider, created_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::double precision[], $7::text[], $8::bigint[])
         ON CONFLICT (project_id, key) DO NOTHING`,
        [
          a.map((x) => x.projectId), a.map((x) => x.key), a.map((x) => x.kind), a.map((x) => x.data), a.map((x) => JSON.stringify(x.files)),
          a.map((x) => x.costUsd), a.map((x) => x.provider), a.map((x) => x.createdAt)
        ]
      )
    }

    if (push.jobs.length) {
      const j = push.jobs
      const { rows } = await q<{ id: string }>(
        `INSERT INTO jobs (id, project_id, type, title, payload, status, progress, result, error, priority, position, retry_count, max_retries,
                           next_resource, next_needs, run_after, waiting_reason, waiting_provider, batch_id, estimated_duration_ms,
                           actual_duration_ms, cost_usd, cost_unknown, created_at, started_at, completed_at, updated_at)
         SELECT id, project_id, type, title, payload, status, progress, result, error, priority, nextval('jobs_position_seq'), retry_count, max_retries,
                next_resource, COALESCE(string_to_array(NULLIF(needs, ''), ','), '{}'), run_after, waiting_reason, waiting_provider, batch_id, estimate,
                actual, cost_usd, cost_unknown, created_at, started_at, completed_at, updated_at
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::double precision[], $8::text[], $9::text[],
                       $10::int[], $11::int[], $12::int[], $13::text[], $14::text[], $15::bigint[], $16::text[], $17::text[], $18::text[],
                       $19::bigint[], $20::bigint[], $21::double precision[], $22::boolean[], $23::bigint[], $24::bigint[], $25::bigint[], $26::bigint[])
                WITH ORDINALITY AS t(id, project_id, type, title, payload, status, progress, result, error, priority, retry_count, max_retries,
                                     next_resource, needs, run_after, waiting_reason, waiting_provider, batch_id, estimate, actual, cost_usd,
                                     cost_unknown, created_at, started_at, completed_at, updated_at, ord)
          ORDER BY ord
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [
          j.map((x) => x.id), j.map((x) => x.projectId), j.map((x) => x.type), j.map((x) => x.title), j.map((x) => JSON.stringify(x.payload)),
          j.map((x) => x.status), j.map((x) => x.progress), j.map((x) => json(x.result)), j.map((x) => x.error), j.map((x) => x.priority),
          j.map((x) => x.retryCount), j.map((x) => x.maxRetries), j.map((x) => x.nextResource), j.map((x) => x.nextNeeds.join(',')),
          j.map((x) => x.runAfter), j.map((x) => x.waitingReason), j.map((x) => x.waitingProvider), j.map((x) => x.batchId),
          j.map((x) => x.estimatedDurationMs), j.map((x) => x.actualDurationMs), j.map((x) => x.costUsd), j.map((x) => x.costUnknown),
          j.map((x) => x.createdAt), j.map((x) => x.startedAt), j.map((x) => x.completedAt), j.map((x) => x.updatedAt)
        ]
      )
      const inserted = new Set(rows.map((r) => r.id))
      written.jobs = j.filter((x) => inserted.has(x.id)).map((x) => x.id)
      const moved = j.filter((x) => inserted.has(x.id))
      const steps = moved.flatMap((x) => x.steps.map((s) => ({ ...s, jobId: x.id })))
      written.stepsKept = steps.filter((s) => s.status === 'completed').length
      if (steps.length) {
        await q(
          `INSERT INTO steps (job_id, idx, name, title, resource, status, attempts, progress, output, files, work_dir, error, cost_usd, provider,
                              fallback, started_at, completed_at, duration_ms)
           SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::double precision[], $9::text[],
                                $10::text[], $11::text[], $12::text[], $13::double precision[], $14::text[], $15::boolean[], $16::bigint[], $17::bigint[], $18::bigint[])`,
          [
            steps.map((s) => s.jobId), steps.map((s) => s.index), steps.map((s) => s.name), steps.map((s) => s.title), steps.map((s) => s.resource),
            steps.map((s) => s.status), steps.map((s) => s.attempts), steps.map((s) => s.progress), steps.map((s) => json(s.output)),
            steps.map((s) => JSON.stringify(s.files)), steps.map((s) => s.workDir), steps.map((s) => s.error), steps.map((s) => s.costUsd),
            steps.map((s) => s.provider), steps.map((s) => s.fallback), steps.map((s) => s.startedAt), steps.map((s) => s.completedAt),
            steps.map((s) => s.durationMs)
          ]
        )
      }
      const lines = moved.flatMap((x) => x.logs.map((l) => ({ ...l, jobId: x.id })))
      written.logLines = lines.length
      if (lines.length) {
        // In the order given: a job's lines keep their order (the farm orders them by id).
        await q(
          `INSERT INTO job_logs (job_seq, job_id, ts, level, step, message, code, params)
           SELECT j.seq, l.job_id, l.ts, l.level, l.step, l.message, l.code, l.params
             FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY
                  AS l(job_id, ts, level, step, message, code, params, ord)
             JOIN jobs j ON j.id = l.job_id
            ORDER BY l.ord`,
          [
            lines.map((l) => l.jobId), lines.map((l) => l.ts), lines.map((l) => l.level), lines.map((l) => l.step), lines.map((l) => l.message),
            lines.map((l) => l.code), lines.map((l) => json(l.params))
          ]
        )
      }
    }

    for (const b of push.batches) {
      const { rowCount } = await q(
        `INSERT INTO batches (id, name, status, source_label, source_file, source_format, encoding, delimiter, sheet, project_id, config, template,
                              total_rows, imported, error, ignored_columns, headers, started_at, finished_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) ON CONFLICT (id) DO NOTHING`,
        [
          b.id, b.name, b.status, b.sourceLabel, b.sourceFile, b.sourceFormat, b.encoding, b.delimiter, b.sheet, b.projectId, b.config, b.template,
          b.totalRows, b.imported ? 1 : 0, b.error, b.ignoredColumns, b.headers, b.startedAt, b.finishedAt, b.createdAt, b.updatedAt
        ]
      )
      if (rowCount !== 1) continue
      written.batches.push(b.id)
      const r = b.rows
      if (r.length) {
        await q(
          `INSERT INTO batch_rows (batch_id, row_number, state, input, job_id, error, priority, cells)
           SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[])`,
          [b.id, r.map((x) => x.rowNumber), r.map((x) => x.state), r.map((x) => json(x.input)), r.map((x) => x.jobId), r.map((x) => x.error), r.map((x) => x.priority), r.map((x) => x.cells)]
        )
      }
    }

    for (const s of push.storyboards) {
      const { rowCount } = await q(
        'INSERT INTO storyboards (id, project_id, revision, head, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING',
        [s.id, s.projectId, s.revision, s.head, s.createdAt, s.updatedAt]
      )
      if (rowCount !== 1) continue
      written.storyboards.push(s.id)
      const v = s.revisions
      if (v.length) {
        await q(
          `INSERT INTO storyboard_revisions (storyboard_id, revision, doc, edit, created_at)
           SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::bigint[])`,
          [s.id, v.map((x) => x.revision), v.map((x) => x.doc), v.map((x) => x.edit), v.map((x) => x.createdAt)]
        )
      }
      const r = s.renders
      if (r.length) {
        await q(
          `INSERT INTO storyboard_renders (job_id, storyboard_id, revision, draft, scene_id, created_at)
           SELECT u.job_id, $1, u.revision, u.draft, u.scene_id, u.created_at
             FROM unnest($2::text[], $3::int[], $4::boolean[], $5::text[], $6::bigint[]) AS u(job_id, revision, draft, scene_id, created_at)
           ON CONFLICT (job_id) DO NOTHING`,
          [s.id, r.map((x) => x.jobId), r.map((x) => x.revision), r.map((x) => x.draft), r.map((x) => x.sceneId), r.map((x) => x.createdAt)]
        )
      }
    }

    if (written.jobs.length) {
      // Every window on the farm shows them, and idle workers look for work, once this commits.
      await notifyJobChanges(tx, { origin: push.origin, changed: written.jobs })
      await wakeWorkers(tx)
    }
    return written
  })
}
