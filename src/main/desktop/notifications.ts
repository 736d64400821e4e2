/**
 * Native notifications when work finishes: a job (outside a batch) completes or fails, a batch
 * completes or ends in error. Finishes that arrive close together are folded into one
 * notification ("6 jobs finished — 5 done, 1 failed") instead of a burst. Cancelling is the
 * user's own act and is not announced.
 */
import { Notification } from 'electron'
import type { BatchView, EngineEvent, JobView } from '../../shared/types'
import type { EventSource } from './push'

export interface Finish {
  kind: 'job' | 'batch'
  id: string
  title: string
  ok: boolean
  detail: string | null
}

export interface NotificationText {
  title: string
  body: string
}

/** What a set of finishes says, as one notification. */
export function describeFinishes(finishes: readonly Finish[]): NotificationText {
  if (finishes.length === 1) {
    const f = finishes[0]!
    const what = f.kind === 'batch' ? `Batch “${f.title}”` : `“${f.title}”`
    return f.ok
      ? { title: `${what} is ready`, body: f.detail ?? 'Finished successfully.' }
      : { title: `${what} failed`, body: truncate(f.detail ?? 'See the queue for details.', 200) }
  }
  const failed = finishes.filter((f) => !f.ok).length
  const done = finishes.length - failed
  const batches = finishes.filter((f) => f.kind === 'batch').length
  const noun = batches === finishes.length ? 'batches' : batches === 0 ? 'jobs' : 'jobs and batches'
  const parts = [done ? `${done} done` : null, failed ? `${failed} failed` : null].filter(Boolean)
  const names = finishes.slice(0, 3).map((f) => f.title).join(', ') + (finishes.length > 3 ? '…' : '')
  return { title: `${finishes.length} ${noun} finished — ${parts.join(', ')}`, body: truncate(names, 200) }
}

export function finishOf(event: EngineEvent): Finish | null {
  if (event.type === 'job.changed') return jobFinish(event.job)
  if (event.type === 'batch.changed') return batchFinish(event.batch)
  return null
}

function jobFinish(job: JobView): Finish | null {
  // Rows of a batch are announced by their batch, not one by one.
  if (job.batchId) return null
  if (job.status === 'completed') return { kind: 'job', id: `${job.id}@${job.completedAt ?? 0}`, title: job.title || job.type, ok: true, detail: null }
  if (job.status === 'failed') return { kind: 'job', id: `${job.id}@${job.completedAt ?? 0}`, title: job.title || job.type, ok: false, detail: job.error }
  return null
}

function batchFinish(batch: BatchView): Finish | null {
  const id = `batch:${batch.id}:${batch.status}@${batch.finishedAt ?? 0}`
  if (batch.status === 'completed') {
    const failed = batch.failedRows + batch.invalidRows
    return { kind: 'batch', id, title: batch.name, ok: failed === 0, detail: `${batch.doneRows} rows done${failed ? `, ${failed} failed` : ''}.` }
  }
  if (batch.status === 'error') return { kind: 'batch', id, title: batch.name, ok: false, detail: batch.errors.at(-1)?.reason ?? null }
  return null
}

function truncate(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text
}

export interface NotifierOptions {
  /** Finishes within this window become one notification. */
  windowMs?: number
  /** Clicking a notification (shows the window). */
  onClick?: () => void
  show?: (text: NotificationText, onClick: () => void) => void
}

/** Listen to the engine and notify; returns the stop function. */
export function notifyFinishes(source: EventSource, options: NotifierOptions = {}): () => void {
  const seen = new Set<string>()
  let pending: Finish[] = []
  let timer: NodeJS.Timeout | null = null
  const show = options.show ?? showNative()
  const flush = () => {
    timer = null
    const batch = pending
    pending = []
    if (batch.length) show(describeFinishes(batch), options.onClick ?? (() => {}))
  }
  const unsubscribe = source.subscribe((event) => {
    const finish = finishOf(event)
    if (!finish || seen.has(finish.id)) return
    seen.add(finish.id)
    if (seen.size > 5000) seen.clear()
    pending.push(finish)
    timer ??= setTimeout(flush, options.windowMs ?? 1500)
  })
  return () => {
    unsubscribe()
    if (timer) clearTimeout(timer)
    timer = null
    pending = []
  }
}

function showNative(): (text: NotificationText, onClick: () => void) => void {
  // Keep references: a notification that is garbage-collected loses its click handler.
  const live = new Set<Notification>()
  return (text, onClick) => {
    if (!Notification.isSupported()) return
    const n = new Notification({ title: text.title, body: text.body })
    live.add(n)
    n.on('click', onClick)
    n.on('close', () => live.delete(n))
    setTimeout(() => live.delete(n), 60_000).unref?.()
    n.show()
  }
}
