/**
 * Versioned schema. Each migration runs once, in order, inside a transaction, at open.
 * Never edit or reorder a shipped migration: add a new one. Never drop user data.
 */
export interface Migration {
  version: number
  name: string
  sql: string
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'jobs, steps, logs, provider calls, settings',
    sql: `
      CREATE TABLE jobs (
        id                    TEXT PRIMARY KEY,
        project_id            TEXT NOT NULL DEFAULT 'default',
        type                  TEXT NOT NULL,
        title                 TEXT NOT NULL DEFAULT '',
        payload               TEXT NOT NULL,
        status                TEXT NOT NULL CHECK (status IN ('pending','processing','paused','completed','failed','cancelled')),
        progress              REAL NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        current_step          TEXT,
        result                TEXT,
        error                 TEXT,
        priority              INTEGER NOT NULL DEFAULT 10 CHECK (priority BETWEEN 1 AND 10),
        position              INTEGER NOT NULL,
        retry_count           INTEGER NOT NULL DEFAULT 0,
        max_retries           INTEGER NOT NULL DEFAULT 3 CHECK (max_retries BETWEEN 0 AND 20),
        next_resource         TEXT,
        run_after             INTEGER NOT NULL DEFAULT 0,
        waiting_reason        TEXT,
        waiting_provider      TEXT,
        pause_requested       INTEGER NOT NULL DEFAULT 0,
        lease_token           TEXT,
        lease_owner           TEXT,
        lease_expires_at      INTEGER,
        batch_id              TEXT,
        estimated_duration_ms INTEGER,
        actual_duration_ms    INTEGER,
        cost_usd              REAL NOT NULL DEFAULT 0,
        created_at            INTEGER NOT NULL,
        started_at            INTEGER,
        completed_at          INTEGER,
        updated_at            INTEGER NOT NULL
      );
      -- The claim query walks this index in queue order: priority, manual order (position), FIFO.
      CREATE INDEX jobs_queue_order ON jobs (status, priority, position);
      -- Only running jobs hold leases: a partial index is not rewritten by every other status change.
      CREATE INDEX jobs_lease ON jobs (lease_expires_at) WHERE status = 'processing';
      CREATE INDEX jobs_position ON jobs (position);
      CREATE INDEX jobs_waiting_provider ON jobs (waiting_provider) WHERE waiting_provider IS NOT NULL;
      CREATE INDEX jobs_finished ON jobs (completed_at) WHERE completed_at IS NOT NULL;
      CREATE INDEX jobs_project ON jobs (project_id);
      CREATE INDEX jobs_batch ON jobs (batch_id) WHERE batch_id IS NOT NULL;

      CREATE TABLE steps (
        job_id        TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        idx           INTEGER NOT NULL,
        name          TEXT NOT NULL,
        title         TEXT NOT NULL,
        resource      TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('pending','running','completed','failed','cancelled')),
        attempts      INTEGER NOT NULL DEFAULT 0,
        progress      REAL NOT NULL DEFAULT 0,
        output        TEXT,
        files         TEXT,
        work_dir      TEXT,
        error         TEXT,
        cost_usd      REAL,
        provider      TEXT,
        fallback      INTEGER NOT NULL DEFAULT 0,
        started_at    INTEGER,
        completed_at  INTEGER,
        duration_ms   INTEGER,
        PRIMARY KEY (job_id, idx)
      );
      -- ETA statistics: recent durations of finished steps by name.
      CREATE INDEX steps_done_by_name ON steps (name, completed_at) WHERE status = 'completed';

      CREATE TABLE job_logs (
        id      INTEGER PRIMARY KEY,
        job_id  TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        ts      INTEGER NOT NULL,
        level   TEXT NOT NULL,
        step    TEXT,
        message TEXT NOT NULL
      );
      CREATE INDEX job_logs_by_job ON job_logs (job_id, id);

      CREATE TABLE provider_calls (
        id          INTEGER PRIMARY KEY,
        provider    TEXT NOT NULL,
        ts          INTEGER NOT NULL,
        ok          INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        error       TEXT
      );
      CREATE INDEX provider_calls_recent ON provider_calls (provider, ts);

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `
  },
  {
    version: 2,
    name: 'batches of spreadsheet rows',
    sql: `
      CREATE TABLE batches (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('idle','running','paused','completed','stopped','error')),
        source_label  TEXT NOT NULL,
        source_file   TEXT NOT NULL,
        source_format TEXT,
        encoding      TEXT,
        delimiter     TEXT,
        sheet         TEXT,
        project_id    TEXT NOT NULL,
        config        TEXT NOT NULL,
        template      TEXT,
        total_rows    INTEGER NOT NULL DEFAULT 0,
        imported      INTEGER NOT NULL DEFAULT 0,
        error         TEXT,
        started_at    INTEGER,
        finished_at   INTEGER,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
      );
      -- One row per spreadsheet row: ready (validated, no job yet), queued (its job exists), invalid.
      -- A row's job is created in the same transaction that marks it queued: exactly once.
      CREATE TABLE batch_rows (
        batch_id   TEXT NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
        row_number INTEGER NOT NULL,
        state      TEXT NOT NULL CHECK (state IN ('ready','queued','invalid')),
        input      TEXT,
        job_id     TEXT,
        error      TEXT,
        PRIMARY KEY (batch_id, row_number)
      );
      CREATE INDEX batch_rows_state ON batch_rows (batch_id, state, row_number);
      CREATE INDEX batch_rows_job ON batch_rows (job_id) WHERE job_id IS NOT NULL;
    `
  },
  {
    version: 3,
    name: 'projects and their assets',
    sql: `
      CREATE TABLE projects (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE assets (
        id         TEXT PRIMARY KEY,
        project_id TEXT NOT NULL,
        name       TEXT NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('image','audio','video','other')),
        path       TEXT NOT NULL,
        bytes      INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX assets_project ON assets (project_id, created_at);
    `
  },
  {
    version: 4,
    name: 'jobs know whether their cost is complete',
    sql: `
      -- 1 when a finished step of the job had no known price: its cost_usd is then a lower bound.
      ALTER TABLE jobs ADD COLUMN cost_unknown INTEGER NOT NULL DEFAULT 0 CHECK (cost_unknown IN (0, 1));
      UPDATE jobs SET cost_unknown = 1
        WHERE id IN (SELECT job_id FROM steps WHERE status = 'completed' AND cost_usd IS NULL);
    `
  },
  {
    version: 5,
    name: 'log lines filed by job number, not by random id',
    sql: `
      -- A job's number in the order jobs were queued; never changes (position does, when the user
      -- reorders). Existing jobs are numbered in their insertion order.
      ALTER TABLE jobs ADD COLUMN seq INTEGER;
      UPDATE jobs SET seq = rowid;
      CREATE UNIQUE INDEX jobs_seq ON jobs (seq);

      -- Log lines were indexed by (job_id, id): a random UUID put every line on a random page of
      -- that index, so each commit of running jobs rewrote one page per line — a third of all
      -- pages written at 2 jobs at once, half at 8 (bench/queue/wal-pages.ts). Filed by job number,
      -- the lines of jobs that run together share pages. job_id stays, for reading; the cascade
      -- that the foreign key gave is a trigger.
      CREATE TABLE job_logs_v5 (
        id      INTEGER PRIMARY KEY,
        job_seq INTEGER NOT NULL,
        job_id  TEXT NOT NULL,
        ts      INTEGER NOT NULL,
        level   TEXT NOT NULL,
        step    TEXT,
        message TEXT NOT NULL
      );
      INSERT INTO job_logs_v5 (id, job_seq, job_id, ts, level, step, message)
        SELECT l.id, j.seq, l.job_id, l.ts, l.level, l.step, l.message FROM job_logs l JOIN jobs j ON j.id = l.job_id;
      DROP TABLE job_logs;
      ALTER TABLE job_logs_v5 RENAME TO job_logs;
      CREATE INDEX job_logs_by_job ON job_logs (job_seq, id);
      CREATE TRIGGER jobs_delete_logs AFTER DELETE ON jobs BEGIN
        DELETE FROM job_logs WHERE job_seq = OLD.seq;
      END;
    `
  },
  {
    version: 6,
    name: 'no index the queue never reads',
    sql: `
      -- Expired leases are found among the running jobs through jobs_queue_order (status first);
      -- the planner never chose this one, yet every claim, renewal and completion rewrote it.
      DROP INDEX jobs_lease;
    `
  },
  {
    version: 7,
    name: "a batch's open jobs found by status",
    sql: `
      -- A running batch counts its open jobs after each one finishes: by (batch, status) that is a
      -- look at those few jobs, where (batch) alone went through every job the batch ever had.
      -- completed_at last: the dashboard's latest results are read backwards from its end.
      DROP INDEX jobs_batch;
      CREATE INDEX jobs_batch ON jobs (batch_id, status, completed_at) WHERE batch_id IS NOT NULL;
    `
  },
  {
    version: 8,
    name: "a job's duration is the time its steps ran",
    sql: `
      -- It was the time since the job first started: waits for a retry or a provider, and a whole
      -- earlier run before the user's retry, counted as work in stats, batch ETAs and exports.
      -- A failed job's last attempt was never timed: its duration stays as it was.
      UPDATE jobs SET actual_duration_ms =
          (SELECT COALESCE(SUM(duration_ms), 0) FROM steps WHERE job_id = jobs.id AND status = 'completed')
        WHERE status = 'completed';
    `
  },
  {
    version: 9,
    name: "a batch row's job priority",
    sql: `
      -- The sheet's "priority" column, checked at import; 10 is the queue's default (rows imported
      -- before this version had none). A running batch queues its ready rows most urgent first,
      -- so the index that finds them is ordered by priority before row number.
      ALTER TABLE batch_rows ADD COLUMN priority INTEGER NOT NULL DEFAULT 10;
      DROP INDEX batch_rows_state;
      CREATE INDEX batch_rows_state ON batch_rows (batch_id, state, priority, row_number);
    `
  },
  {
    version: 10,
    name: "a batch's ignored columns",
    sql: `
      -- The sheet's columns no pipeline field reads (a JSON array), shown with the import summary
      -- so a column the user meant to use is not dropped without a word. NULL: not read yet.
      ALTER TABLE batches ADD COLUMN ignored_columns TEXT;
    `
  },
  {
    version: 11,
    name: 'jobs deleted, remembered for a day',
    sql: `
      -- A job deleted by another process (the CLI next to the app) leaves no row to notice: the
      -- other engines look here for what went since their last look (ExternalChanges), so an open
      -- window drops it at once. A day covers any look; older entries go as new ones come.
      CREATE TABLE removed_jobs (id TEXT NOT NULL, removed_at INTEGER NOT NULL);
      CREATE INDEX removed_jobs_at ON removed_jobs (removed_at);
      CREATE TRIGGER jobs_remember_removed AFTER DELETE ON jobs BEGIN
        DELETE FROM removed_jobs WHERE removed_at < CAST(unixepoch('subsec') * 1000 AS INTEGER) - 86400000;
        INSERT INTO removed_jobs (id, removed_at) VALUES (OLD.id, CAST(unixepoch('subsec') * 1000 AS INTEGER));
      END;
    `
  },
  {
    version: 12,
    name: 'storyboards, their revisions and renders; the artifact cache; asset hashes',
    sql: `
      -- A storyboard is its current revision: every edit writes a whole new document (title,
      -- settings, scenes) as the next revision, so undo and redo move \`revision\` between rows
      -- that never change, and survive a restart. \`head\` is the newest revision redo can reach.
      CREATE TABLE storyboards (
        id          TEXT PRIMARY KEY,
        project_id  TEXT NOT NULL,
        revision    INTEGER NOT NULL,
        head        INTEGER NOT NULL,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
      );
      CREATE INDEX storyboards_project ON storyboards (project_id, updated_at);
      CREATE TABLE storyboard_revisions (
        storyboard_id TEXT NOT NULL REFERENCES storyboards(id) ON DELETE CASCADE,
        revision      INTEGER NOT NULL,
        doc           TEXT NOT NULL,
        edit          TEXT NOT NULL,
        created_at    INTEGER NOT NULL,
        PRIMARY KEY (storyboard_id, revision)
      );
      -- Each render (full, draft, one-scene preview) is a job; this says which storyboard and
      -- revision it rendered. A removed job leaves its row, which the views skip.
      CREATE TABLE storyboard_renders (
        job_id        TEXT PRIMARY KEY,
        storyboard_id TEXT NOT NULL REFERENCES storyboards(id) ON DELETE CASCADE,
        revision      INTEGER NOT NULL,
        draft         INTEGER NOT NULL,
        scene_id      TEXT,
        created_at    INTEGER NOT NULL
      );
      CREATE INDEX storyboard_renders_board ON storyboard_renders (storyboard_id, created_at);
      -- Content-addressed step results: the key hashes exactly the inputs that decide a step's
      -- output, so a step whose key is here is reused, never paid again. Files are relative to the
      -- data folder (they live under projects/<project>/cache/).
      CREATE TABLE artifacts (
        project_id  TEXT NOT NULL,
        key         TEXT NOT NULL,
        kind        TEXT NOT NULL,
        data        TEXT NOT NULL,
        files       TEXT NOT NULL,
        cost_usd    REAL,
        provider    TEXT,
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (project_id, key)
      );
      -- An asset's content hash keys the segments made from it; its length bounds a clip's out point.
      -- Both are measured on first use (NULL until then).
      ALTER TABLE assets ADD COLUMN sha256 TEXT;
      ALTER TABLE assets ADD COLUMN duration_sec REAL;
    `
  },
  {
    version: 13,
    name: "a batch row's own cells",
    sql: `
      -- The row as the sheet had it (a JSON object, header → cell) and the sheet's header order
      -- (a JSON array): the export puts them back beside the results, the results table shows
      -- the row's main cell. NULL for rows imported before.
      ALTER TABLE batch_rows ADD COLUMN cells TEXT;
      ALTER TABLE batches ADD COLUMN headers TEXT;
    `
  },
  {
    version: 14,
    name: "a stock asset's author, licence and source",
    sql: `
      -- Media taken from a stock library (Pexels) keep who made them, under which licence, and the
      -- page they came from, shown in the media bin. \`source_id\` ("pexels:photo:123") lets the
      -- same item asked twice come from the bin instead of a second download. NULL: the user's own.
      ALTER TABLE assets ADD COLUMN author TEXT;
      ALTER TABLE assets ADD COLUMN author_url TEXT;
      ALTER TABLE assets ADD COLUMN licence TEXT;
      ALTER TABLE assets ADD COLUMN licence_url TEXT;
      ALTER TABLE assets ADD COLUMN source_url TEXT;
      ALTER TABLE assets ADD COLUMN source_id TEXT;
      CREATE INDEX assets_source ON assets (project_id, source_id) WHERE source_id IS NOT NULL;
    `
  },
  {
    version: 15,
    name: 'log lines stored as a code and its values',
    sql: `
      -- A line the engine writes from one of its templates (shared/log-lines.ts) is stored as the
      -- template's code and its values (a JSON object), with an empty message: the CLI renders the
      -- English, the app the user's language, and no one parses prose back. Free text keeps its
      -- message and no code. Lines stored before this version keep their English message: they
      -- are recognised by their template when read (store/rows.ts logLine).
      ALTER TABLE job_logs ADD COLUMN code TEXT;
      ALTER TABLE job_logs ADD COLUMN params TEXT;
    `
  },
  {
    version: 16,
    name: 'steps filed by job number, not by random id',
    sql: `
      -- Steps were keyed (job_id, idx): a random UUID put every enqueued job's steps on a random
      -- page of that key, and their foreign key looked each job up again by id — a bulk enqueue
      -- spent about half its time on those out-of-order inserts. Keyed by the job's number
      -- (migration 5), the steps of jobs queued together are appended side by side. job_id stays,
      -- for reading; the cascade that the foreign key gave is a trigger, as for job_logs.
      CREATE TABLE steps_v16 (
        job_seq       INTEGER NOT NULL,
        idx           INTEGER NOT NULL,
        job_id        TEXT NOT NULL,
        name          TEXT NOT NULL,
        title         TEXT NOT NULL,
        resource      TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('pending','running','completed','failed','cancelled')),
        attempts      INTEGER NOT NULL DEFAULT 0,
        progress      REAL NOT NULL DEFAULT 0,
        output        TEXT,
        files         TEXT,
        work_dir      TEXT,
        error         TEXT,
        cost_usd      REAL,
        provider      TEXT,
        fallback      INTEGER NOT NULL DEFAULT 0,
        started_at    INTEGER,
        completed_at  INTEGER,
        duration_ms   INTEGER,
        PRIMARY KEY (job_seq, idx)
      );
      INSERT INTO steps_v16 (job_seq, idx, job_id, name, title, resource, status, attempts, progress, output,
                             files, work_dir, error, cost_usd, provider, fallback, started_at, completed_at, duration_ms)
        SELECT j.seq, s.idx, s.job_id, s.name, s.title, s.resource, s.status, s.attempts, s.progress, s.output,
               s.files, s.work_dir, s.error, s.cost_usd, s.provider, s.fallback, s.started_at, s.completed_at, s.duration_ms
        FROM steps s JOIN jobs j ON j.id = s.job_id;
      DROP TABLE steps;
      ALTER TABLE steps_v16 RENAME TO steps;
      CREATE INDEX steps_done_by_name ON steps (name, completed_at) WHERE status = 'completed';
      CREATE TRIGGER jobs_delete_steps AFTER DELETE ON jobs BEGIN
        DELETE FROM steps WHERE job_seq = OLD.seq;
      END;
    `
  },
  {
    version: 17,
    name: 'storyboard renders queued on a studio farm',
    sql: `
      -- A render the window queued on a studio farm: its job is the farm's, not in this file's
      -- jobs table, so the views read it from the farm instead of skipping it as removed.
      ALTER TABLE storyboard_renders ADD COLUMN on_farm INTEGER NOT NULL DEFAULT 0;
    `
  }
]
