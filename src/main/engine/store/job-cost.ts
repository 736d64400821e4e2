/**
 * A job's cost from its steps' (a subquery on the job being updated, `@jobId`). SUM skips the
 * steps whose price is unknown (NULL): the total is then a lower bound, and cost_unknown says so.
 */
export const JOB_COST = '(SELECT COALESCE(SUM(cost_usd), 0) FROM steps WHERE job_id = @jobId)'
export const JOB_COST_UNKNOWN = "EXISTS (SELECT 1 FROM steps WHERE job_id = @jobId AND status = 'completed' AND cost_usd IS NULL)"

/**
 * How long the job's steps ran (`@jobId`): its actual duration. Not the time since it first
 * started, which counts waits for a retry or a provider, and a whole earlier run before a retry:
 * averages, batch ETAs and exports want the work, not the waiting.
 */
export const JOB_RUN_TIME = "(SELECT COALESCE(SUM(duration_ms), 0) FROM steps WHERE job_id = @jobId AND status = 'completed')"
