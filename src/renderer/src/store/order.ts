import type { JobStatus, JobView } from '../../../shared/types'

/** Order of a render queue, as the engine lists it: running, then the queue in run order, then finished (newest first). */
function bucket(status: JobStatus): number {
  if (status === 'processing') return 0
  if (status === 'pending' || status === 'paused') return 1
  return 2
}

export function compareJobs(a: JobView, b: JobView): number {
  const ba = bucket(a.status)
  const bb = bucket(b.status)
  if (ba !== bb) return ba - bb
  if (ba < 2) {
    if (a.priority !== b.priority) return a.priority - b.priority
    if (a.position !== b.position) return a.position - b.position
  } else {
    const ca = a.completedAt ?? 0
    const cb = b.completedAt ?? 0
    if (ca !== cb) return cb - ca
    if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** Would this change move the job in the list? */
export function affectsOrder(before: JobView | undefined, after: JobView): boolean {
  return (
    !before ||
    before.status !== after.status ||
    before.priority !== after.priority ||
    before.position !== after.position ||
    before.completedAt !== after.completedAt
  )
}

export function isQueued(job: JobView): boolean {
  return job.status === 'pending' || job.status === 'paused'
}

export function isFinished(job: JobView): boolean {
  return job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled'
}

/** A pending job the engine holds back (provider down, backoff before a retry). */
export function isWaiting(job: JobView, now: number): boolean {
  return job.status === 'pending' && (job.waitingReason !== null || job.runAfter > now)
}

export type DisplayStatus = JobStatus | 'waiting' | 'pausing'

export function displayStatus(job: JobView, now: number): DisplayStatus {
  if (isWaiting(job, now)) return 'waiting'
  if (job.status === 'processing' && job.pauseRequested) return 'pausing'
  return job.status
}
