/**
 * Engine push events → the window, on one channel. `job.progress` is coalesced per job to one
 * message per frame (~16 ms): a render reporting 1 000 times a second must not flood IPC.
 * Everything else goes out at once, in order; before a job's own change or removal is sent, its
 * pending progress is sent first, so the renderer never sees progress after completion.
 */
import type { WebContents } from 'electron'
import type { EngineEvent } from '../../shared/types'

export const EVENT_CHANNEL = 'studio:event'

type ProgressEvent = Extract<EngineEvent, { type: 'job.progress' }>

export interface EventSource {
  subscribe(listener: (event: EngineEvent) => void): () => void
}

export function forwardEvents(source: EventSource, target: () => WebContents | null, frameMs = 16): () => void {
  const pending = new Map<string, ProgressEvent>()
  let timer: NodeJS.Timeout | null = null

  const send = (event: EngineEvent) => {
    const contents = target()
    if (contents && !contents.isDestroyed()) contents.send(EVENT_CHANNEL, event)
  }
  const flushJob = (jobId: string) => {
    const event = pending.get(jobId)
    if (!event) return
    pending.delete(jobId)
    send(event)
  }
  const flushAll = () => {
    timer = null
    const events = [...pending.values()]
    pending.clear()
    for (const event of events) send(event)
  }

  const unsubscribe = source.subscribe((event) => {
    if (event.type === 'job.progress') {
      pending.set(event.jobId, event)
      timer ??= setTimeout(flushAll, frameMs)
      return
    }
    if (event.type === 'job.changed') flushJob(event.job.id)
    else if (event.type === 'job.removed') pending.delete(event.jobId)
    send(event)
  })

  return () => {
    unsubscribe()
    if (timer) clearTimeout(timer)
    timer = null
    pending.clear()
  }
}
