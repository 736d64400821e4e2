/**
 * The studio farm's schema on PostgreSQL: the same aggregates as the local SQLite schema
 * (store/migrations.ts, version 14) plus the workers that share the queue. Applied by farmInit
 * (init.ts), each version once, in order, under one advisory lock.
 *
 * Choices that keep the two backends interchangeable behind the storage boundary:
 *  - times are epoch milliseconds in BIGINT, as in SQLite, so domain types do not change;
 *  - JSON documents (payloads, results, configs, revisions) stay TEXT holding JSON, as in SQLite,
 *    so one mapping from stored text to domain values serves both backends;
 *  - file paths are relative to the shared data folder, which each machine mounts where it likes;
 *    CHECKs refuse an absolute or escaping path, the one mistake that would work on the machine
 *    that wrote it and break on every other.
 * Never edit or reorder a shipped migration: add a new one. Never drop user data (a test reads
 * every migration for DROP TABLE, DROP COLUMN, TRUNCATE and DELETE).
 */
export interface FarmMigration {
  version: number
  name: string
  sql: string
}

/** A path relative to the data folder: not absolute (POSIX, UNC or drive letter) and no `..` segment. */
const RELATIVE = (column: string): string =>
  `CHECK (${column} !~ '^(/|\\\\|[A-Za-z]:)' AND ${column} !~ '(^|[/\\\\])\\.\\.([/\\\\]|$)')`

export const FARM_MIGRATIONS: readonly FarmMigration[] = [
  {
    version: 1,
    name: 'jobs, steps, logs, leases with fencing, batches, projects, assets, storyboards, provider calls, settings, workers',
    sql: `
      CREATE TABLE jobs (
        id                    TEXT PRIMARY KEY,
        -- The job's number in the order jobs were queued; never changes (position does).
        seq                   BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        project_id            TEXT NOT NULL DEFAULT 'default',
        type                  TEXT NOT NULL,
        title                 TEXT NOT NULL DEFAULT '',
        payload               TEXT NOT NULL,
        status                TEXT NOT NULL CHECK (status IN ('pending','processing','paused','completed','failed','cancelled')),
        progress              DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        current_step          TEXT,
        result                TEXT,
        error                 TEXT,
        priority              INTEGER NOT NULL DEFAULT 10 CHECK (priority BETWEEN 1 AND 10),
        position              BIGINT NOT NULL,
        retry_count           INTEGER NOT NULL DEFAULT 0,
        max_retries           INTEGER NOT NULL DEFAULT 3 CHECK (max_retries BETWEEN 0 AND 20),
        next_resource         TEXT,
        -- What the next step needs of a machine (capability names, capabilities.ts): a worker
        -- claims only jobs whose needs are a subset of what it has (next_needs <@ $its_caps).
        next_needs            TEXT[] NOT NULL DEFAULT '{}',
        run_after             BIGINT NOT NULL DEFAULT 0,
        waiting_reason        TEXT,
        waiting_provider      TEXT,
        pause_requested       BOOLEAN NOT NULL DEFAULT FALSE,
        lease_token           TEXT,
        lease_owner           TEXT,
        lease_expires_at      BIGINT,
        -- Fencing: raised by every claim of the job. A worker writes only with the fence it
        -- claimed with (WHERE lease_fence = $mine), so one whose lease expired and was taken
        -- over (paused, partitioned) finds its writes refused even if it still believes it holds it.
        lease_fence           BIGINT NOT NULL DEFAULT 0,
        batch_id              TEXT,
        estimated_duration_ms BIGINT,
        actual_duration_ms    BIGINT,
        cost_usd              DOUBLE PRECISION NOT NULL DEFAULT 0,
        cost_unknown          BOOLEAN NOT NULL DEFAULT FALSE,
        created_at            BIGINT NOT NULL,
        started_at            BIGINT,
        completed_at          BIGINT,
        updated_at            BIGINT NOT NULL
      );
      -- The claim (FOR UPDATE SKIP LOCKED) walks this index in queue order: priority, the user's
      -- manual order (position), FIFO (seq breaks ties the way SQLite's rowid did).
      CREATE INDEX jobs_queue_order ON jobs (status, priority, position, seq);
      CREATE INDEX jobs_lease ON jobs (lease_expires_at) WHERE status = 'processing';
      CREATE INDEX jobs_position ON jobs (position);
      CREATE INDEX jobs_waiting_provider ON jobs (waiting_provider) WHERE waiting_provider IS NOT NULL;
      CREATE INDEX jobs_finished ON jobs (completed_at) WHERE completed_at IS NOT NULL;
      CREATE INDEX jobs_project ON jobs (project_id);
      CREATE INDEX jobs_batch ON jobs (batch_id, status, completed_at) WHERE batch_id IS NOT NULL;

      CREATE TABLE steps (
        job_id        TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        idx           INTEGER NOT NULL,
        name          TEXT NOT NULL,
        title         TEXT NOT NULL,
        resource      TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('pending','running','completed','failed','cancelled')),
        attempts      INTEGER NOT NULL DEFAULT 0,
        progress      DOUBLE PRECISION NOT NULL DEFAULT 0,
        output        TEXT,
        files         TEXT,
        work_dir      TEXT ${RELATIVE('work_dir')},
        error         TEXT,
        cost_usd      DOUBLE PRECISION,
        provider      TEXT,
        fallback      BOOLEAN NOT NULL DEFAULT FALSE,
        started_at    BIGINT,
        completed_at  BIGINT,
        duration_ms   BIGINT,
        -- Which worker ran (or runs) the step, for \`studio farm status\` and the job's log.
        worker_id     TEXT,
        PRIMARY KEY (job_id, idx)
      );
      CREATE INDEX steps_done_by_name ON steps (name, completed_at) WHERE status = 'completed';

      -- Filed by job number, so the lines of jobs that run together share pages (as in SQLite v5).
      CREATE TABLE job_logs (
        id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        job_seq BIGINT NOT NULL REFERENCES jobs(seq) ON DELETE CASCADE,
        job_id  TEXT NOT NULL,
        ts      BIGINT NOT NULL,
        level   TEXT NOT NULL,
        step    TEXT,
        message TEXT NOT NULL
      );
      CREATE INDEX job_logs_by_job ON job_logs (job_seq, id);

      -- Jobs deleted, remembered for a day, for engines that look for what changed since their last look.
      CREATE TABLE removed_jobs (id TEXT NOT NULL, removed_at BIGINT NOT NULL);
      CREATE INDEX removed_jobs_at ON removed_jobs (removed_at);
      CREATE FUNCTION jobs_remember_removed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM removed_jobs WHERE removed_at < (extract(epoch FROM clock_timestamp()) * 1000)::bigint - 86400000;
        INSERT INTO removed_jobs (id, removed_at) VALUES (OLD.id, (extract(epoch FROM clock_timestamp()) * 1000)::bigint);
        RETURN OLD;
      END $$;
      CREATE TRIGGER jobs_remember_removed AFTER DELETE ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_remember_removed();

      -- Every call to a provider, from any machine: the circuit breaker and the farm-wide rate
      -- limits read the recent ones.
      CREATE TABLE provider_calls (
        id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        provider    TEXT NOT NULL,
        ts          BIGINT NOT NULL,
        ok          BOOLEAN NOT NULL,
        duration_ms BIGINT NOT NULL,
        error       TEXT,
        worker_id   TEXT
      );
      CREATE INDEX provider_calls_recent ON provider_calls (provider, ts);

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      CREATE TABLE batches (
        id              TEXT PRIMARY KEY,
        name            TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('idle','running','paused','completed','stopped','error')),
        source_label    TEXT NOT NULL,
        source_file     TEXT NOT NULL,
        source_format   TEXT,
        encoding        TEXT,
        delimiter       TEXT,
        sheet           TEXT,
        project_id      TEXT NOT NULL,
        config          TEXT NOT NULL,
        template        TEXT,
        total_rows      INTEGER NOT NULL DEFAULT 0,
        imported        INTEGER NOT NULL DEFAULT 0,
        error           TEXT,
        ignored_columns TEXT,
        headers         TEXT,
        started_at      BIGINT,
        finished_at     BIGINT,
        created_at      BIGINT NOT NULL,
        updated_at      BIGINT NOT NULL
      );
      CREATE TABLE batch_rows (
        batch_id   TEXT NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
        row_number INTEGER NOT NULL,
        state      TEXT NOT NULL CHECK (state IN ('ready','queued','invalid')),
        input      TEXT,
        job_id     TEXT,
        error      TEXT,
        priority   INTEGER NOT NULL DEFAULT 10,
        cells      TEXT,
        PRIMARY KEY (batch_id, row_number)
      );
      CREATE INDEX batch_rows_state ON batch_rows (batch_id, state, priority, row_number);
      CREATE INDEX batch_rows_job ON batch_rows (job_id) WHERE job_id IS NOT NULL;

      CREATE TABLE projects (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE assets (
        id           TEXT PRIMARY KEY,
        project_id   TEXT NOT NULL,
        name         TEXT NOT NULL,
        kind         TEXT NOT NULL CHECK (kind IN ('image','audio','video','other')),
        path         TEXT NOT NULL ${RELATIVE('path')},
        bytes        BIGINT NOT NULL,
        sha256       TEXT,
        duration_sec DOUBLE PRECISION,
        author       TEXT,
        author_url   TEXT,
        licence      TEXT,
        licence_url  TEXT,
        source_url   TEXT,
        source_id    TEXT,
        created_at   BIGINT NOT NULL
      );
      CREATE INDEX assets_project ON assets (project_id, created_at);
      CREATE INDEX assets_source ON assets (project_id, source_id) WHERE source_id IS NOT NULL;

      CREATE TABLE storyboards (
        id          TEXT PRIMARY KEY,
        project_id  TEXT NOT NULL,
        revision    INTEGER NOT NULL,
        head        INTEGER NOT NULL,
        created_at  BIGINT NOT NULL,
        updated_at  BIGINT NOT NULL
      );
      CREATE INDEX storyboards_project ON storyboards (project_id, updated_at);
      CREATE TABLE storyboard_revisions (
        storyboard_id TEXT NOT NULL REFERENCES storyboards(id) ON DELETE CASCADE,
        revision      INTEGER NOT NULL,
        doc           TEXT NOT NULL,
        edit          TEXT NOT NULL,
        created_at    BIGINT NOT NULL,
        PRIMARY KEY (storyboard_id, revision)
      );
      CREATE TABLE storyboard_renders (
        job_id        TEXT PRIMARY KEY,
        storyboard_id TEXT NOT NULL REFERENCES storyboards(id) ON DELETE CASCADE,
        revision      INTEGER NOT NULL,
        draft         BOOLEAN NOT NULL,
        scene_id      TEXT,
        created_at    BIGINT NOT NULL
      );
      CREATE INDEX storyboard_renders_board ON storyboard_renders (storyboard_id, created_at);
      -- Content-addressed step results; files (a JSON list) are relative to the data folder.
      CREATE TABLE artifacts (
        project_id  TEXT NOT NULL,
        key         TEXT NOT NULL,
        kind        TEXT NOT NULL,
        data        TEXT NOT NULL,
        files       TEXT NOT NULL,
        cost_usd    DOUBLE PRECISION,
        provider    TEXT,
        created_at  BIGINT NOT NULL,
        PRIMARY KEY (project_id, key)
      );

      -- The machines working from this queue. A worker upserts its row at start and renews
      -- heartbeat_at while it runs; one whose heartbeat is older than its lease period is gone
      -- (its jobs' leases expire the same way). capabilities: what capabilities.ts reported.
      CREATE TABLE workers (
        id           TEXT PRIMARY KEY,
        host         TEXT NOT NULL,
        pid          INTEGER NOT NULL,
        version      TEXT NOT NULL DEFAULT '',
        capabilities JSONB NOT NULL DEFAULT '{}'::jsonb,
        -- capabilities.has as an array, matched by the claim: next_needs <@ has.
        has          TEXT[] NOT NULL DEFAULT '{}',
        started_at   BIGINT NOT NULL,
        heartbeat_at BIGINT NOT NULL,
        stopping     BOOLEAN NOT NULL DEFAULT FALSE
      );
      CREATE INDEX workers_heartbeat ON workers (heartbeat_at);
    `
  },
  {
    version: 2,
    name: 'log lines as a code and its values; running jobs by lease owner',
    sql: `
      -- As SQLite's schema 15: a line the engine wrote from a template is stored as its code and
      -- values (message left empty), so each UI words it in its own language.
      ALTER TABLE job_logs ADD COLUMN code TEXT, ADD COLUMN params TEXT;
      -- The reclaim finds the jobs of workers whose heartbeat stopped by their owner.
      CREATE INDEX jobs_lease_owner ON jobs (lease_owner) WHERE status = 'processing';
    `
  },
  {
    version: 3,
    name: 'the job store: queue positions from a sequence, statistics by type',
    sql: `
      -- A line the engine writes is a code and its values (migration 2 adds the columns; IF NOT
      -- EXISTS keeps this migration whole whichever of the two was written first); free text (a
      -- step's own words) stays in message, empty for a coded line.
      ALTER TABLE job_logs ADD COLUMN IF NOT EXISTS code TEXT, ADD COLUMN IF NOT EXISTS params TEXT;
      ALTER TABLE job_logs ALTER COLUMN message SET DEFAULT '';

      -- A job queued last goes last (its position is above every other), even when two machines
      -- enqueue at the same moment: positions come from one sequence, never from max(position)
      -- read by each. Reordering only re-deals positions jobs already hold, so it never reaches
      -- the sequence's values. Whoever inserts jobs with positions of their own moves it past them.
      CREATE SEQUENCE jobs_position_seq AS BIGINT OWNED BY jobs.position;
      SELECT setval('jobs_position_seq', COALESCE((SELECT max(position) FROM jobs), 0) + 1, false);
      ALTER TABLE jobs ALTER COLUMN position SET DEFAULT nextval('jobs_position_seq');

      -- Finished jobs by type, for the queue's statistics (average run time per type).
      CREATE INDEX jobs_type_status ON jobs (type, status);
    `
  },
  {
    version: 4,
    name: 'the claim as one function, for claims sent with the checkpoints in one round trip',
    sql: `
      -- Take the next ready job this worker can run (its capabilities, the resources it has no free
      -- slot for left aside), in queue order, with FOR UPDATE SKIP LOCKED; raise its fence and
      -- lease it. One job, or no row when none is ready. Called by the lease store (leases.ts) at
      -- the end of a round trip that may also carry checkpoints: a claim that fails is undone
      -- alone by the exception block (a subtransaction) and answers its error, so the checkpoints
      -- before it still commit. As a function, its plan is prepared once per connection.
      CREATE FUNCTION farm_claim_next(p_now BIGINT, p_has TEXT[], p_exclude TEXT[], p_owner TEXT, p_token TEXT, p_lease_ms BIGINT)
      RETURNS TABLE (claimed_job JSON, claimed_steps JSON, failure TEXT, failure_code TEXT)
      LANGUAGE plpgsql AS $$
      DECLARE
        claimed jobs;
      BEGIN
        BEGIN
          WITH next AS (
            SELECT id FROM jobs
             WHERE status = 'pending' AND run_after <= p_now AND next_needs <@ p_has
               AND (next_resource IS NULL OR next_resource <> ALL(p_exclude))
             ORDER BY priority, position, seq
             LIMIT 1
             FOR UPDATE SKIP LOCKED)
          UPDATE jobs j SET status = 'processing', lease_owner = p_owner, lease_token = p_token, lease_expires_at = p_now + p_lease_ms,
                 lease_fence = j.lease_fence + 1, started_at = COALESCE(j.started_at, p_now), waiting_reason = NULL,
                 waiting_provider = NULL, updated_at = p_now,
                 current_step = (SELECT s.name FROM steps s WHERE s.job_id = j.id AND s.status <> 'completed' ORDER BY s.idx LIMIT 1)
            FROM next WHERE j.id = next.id
          RETURNING j.* INTO claimed;
        EXCEPTION WHEN OTHERS THEN
          RETURN QUERY SELECT NULL::json, NULL::json, SQLERRM, SQLSTATE;
          RETURN;
        END;
        IF claimed.id IS NULL THEN
          RETURN;
        END IF;
        RETURN QUERY SELECT row_to_json(claimed), (SELECT json_agg(s ORDER BY s.idx) FROM steps s WHERE s.job_id = claimed.id), NULL::text, NULL::text;
      END $$;
    `
  },
  {
    version: 5,
    name: 'farm-wide resource limits: lanes and the slots running steps hold',
    sql: `
      -- A provider's limit is the provider's, whoever calls ("5 at a time, 2 s apart"): a resource
      -- with a lane here is limited across the farm (resource-lanes.ts), one without keeps each
      -- worker's own settings. next_start_at is on the database's clock, the one clock every
      -- worker shares: a step of the resource may start from then on.
      CREATE TABLE resource_lanes (
        resource        TEXT PRIMARY KEY CHECK (resource ~ '^[a-z][a-z0-9_-]{0,39}$'),
        concurrency     INTEGER NOT NULL CHECK (concurrency BETWEEN 1 AND 1000),
        min_interval_ms BIGINT NOT NULL DEFAULT 0 CHECK (min_interval_ms BETWEEN 0 AND 86400000),
        next_start_at   BIGINT NOT NULL DEFAULT 0,
        updated_at      BIGINT NOT NULL
      );

      -- A step of a laned resource running somewhere. It counts only while the job's lease that
      -- took it is live (same fence and token, not expired) and its step is not completed: a
      -- worker killed, stopped or cut off frees its slots when its lease runs out, with no sweep.
      -- Rows that no longer count are deleted by the next take of their resource.
      CREATE TABLE resource_slots (
        id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        resource  TEXT NOT NULL,
        job_id    TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        step_idx  INTEGER NOT NULL,
        fence     BIGINT NOT NULL,
        token     TEXT NOT NULL,
        worker_id TEXT NOT NULL,
        taken_at  BIGINT NOT NULL
      );
      CREATE INDEX resource_slots_resource ON resource_slots (resource);
      CREATE INDEX resource_slots_job ON resource_slots (job_id);
    `
  },
  {
    version: 6,
    name: "every machine's windows hear a job's status change, whoever made it",
    sql: `
      -- The job store NOTIFYs what a person changes (job-events.ts); a worker's claim, completion,
      -- failure or give-back, and a reclaim, change a job's status in the workers' own statements.
      -- One notice per statement naming the jobs whose status changed (the 'all' form when too
      -- many to name, as noticePayload does), on the channel the windows listen to (job-relay.ts),
      -- sent at commit and never on rollback. Progress and step changes within a status are not
      -- announced: a window learns a job started and ended, not each tick.
      --
      -- Only while a window is open: a NOTIFY serialises commits on the server, a cost the claim
      -- path pays for nobody when no window listens (a headless farm, a bench). Each window
      -- (engine/farm/farm-queue.ts) keeps a row here fresh; a window killed without leaving stops
      -- counting once its row is older than 90 s.
      CREATE TABLE farm_windows (
        id      TEXT PRIMARY KEY,
        seen_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE FUNCTION studio_farm_job_status_notice() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        ids TEXT[];
        payload TEXT;
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM farm_windows WHERE seen_at > now() - interval '90 seconds') THEN RETURN NULL; END IF;
        SELECT array_agg(n.id ORDER BY n.seq) INTO ids
          FROM new_jobs n JOIN old_jobs o ON o.id = n.id
         WHERE o.status IS DISTINCT FROM n.status;
        IF ids IS NULL THEN RETURN NULL; END IF;
        payload := json_build_object('origin', 'farm-status', 'changed', ids)::text;
        IF octet_length(payload) > 7800 THEN payload := json_build_object('origin', 'farm-status', 'all', true)::text; END IF;
        PERFORM pg_notify('studio_farm_jobs', payload);
        RETURN NULL;
      END
      $fn$;
      CREATE TRIGGER jobs_status_notice AFTER UPDATE ON jobs
        REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs
        FOR EACH STATEMENT EXECUTE FUNCTION studio_farm_job_status_notice();
    `
  },
  {
    version: 7,
    name: "the claim walks the queue order's index instead of reading and sorting every pending job",
    sql: `
      -- farm_claim_next's statements are planned once per connection, for any parameters (a generic
      -- plan), and the planner guesses its filters (next_needs <@ $has, run_after <= $now) keep
      -- almost no row: so it read every pending job and sorted them all, at every claim — a cost
      -- that grew with the queue (0.35 ms a claim with 1 000 jobs queued, against 0.09 ms walking
      -- jobs_queue_order, which gives the rows already in priority, position, seq order, and stops
      -- at the first this worker can run and nobody holds). Within the function only, a plan that
      -- sorts is ruled out, which leaves that walk; the function's other statements (a job's steps
      -- by job_id, the status notice's trigger) sort nothing. Not enable_seqscan: a query with no
      -- other way than a sequential scan (the trigger's look at farm_windows) would be priced in
      -- billions and JIT-compiled at every call; jit is off here for the same reason. A worker that
      -- can run none of a long queue walks it all, as the sequential scan read it all, at its
      -- wake-ups rather than at every job.
      ALTER FUNCTION farm_claim_next(BIGINT, TEXT[], TEXT[], TEXT, TEXT, BIGINT)
        SET enable_sort = off SET enable_bitmapscan = off SET jit = off;
    `
  }
]

/** The newest version this program knows. */
export const FARM_SCHEMA_VERSION = FARM_MIGRATIONS[FARM_MIGRATIONS.length - 1]!.version
