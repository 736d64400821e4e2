/**
 * `studio batch … --queue-url URL`: batches on the farm's queue. The sheet is read and checked on
 * this machine, as for a local batch; its rows go to the farm, whose workers queue them as the
 * queue drains (engine/farm/farm-batches.ts). list, status, start, pause, resume, stop, retry,
 * reset and export print what the local commands print, built from the farm's rows and jobs. A new
 * batch is followed until it ends (its workers run it; this machine runs nothing), unless --detach.
 * --estimate reads and prices the sheet here, and times it with the farm's step durations and its
 * live workers' slots (engine/batch/farm-estimate.ts); it queues nothing.
 */
import { estimateFarmBatch } from '../main/engine/batch/farm-estimate'
import type { Engine } from '../main/engine/engine'
import { QueueError } from '../main/engine/errors'
import { FarmQueue } from '../main/engine/farm/farm-queue'
import type { FarmBatches } from '../main/engine/farm/farm-batches'
import { listenForBatchChanges } from '../main/engine/store/postgres/batches'
import type { BatchView } from '../shared/types'
import { asBatchError, BATCH_USAGE, BatchUsageError, batchLine, batchStatusText, createArgs, createdText, estimateText, exportDelimiter, print, writeExport, type BatchArgs } from './batch'
import type { CliIo } from './io'
import { Studio } from '../main/engine/studio'

/** How often a followed batch is read again when no notice came (a notice lost with a dropped connection). */
const FOLLOW_SWEEP_MS = 5_000

export async function farmBatchCommand(url: string, dataDir: string, io: CliIo, a: BatchArgs, openLocal: () => Promise<Engine<any>>): Promise<number> {
  const [sub, id] = a.positionals
  const needId = () => {
    if (!id) throw new BatchUsageError(`usage: studio batch ${sub} <id>`)
    return id
  }
  if (sub === undefined) throw new BatchUsageError(`usage: ${BATCH_USAGE}`)
  const farm = new FarmQueue({ url, dataDir })
  try {
    await farm.check()
    const batches = farm.batches
    switch (sub) {
      case 'list': {
        const list = await batches.list()
        print(a, io, list, () => (list.length ? list.map(batchLine).join('\n') : 'no batches'))
        return 0
      }
      case 'status': {
        const v = await batches.view(needId())
        print(a, io, v, () => batchStatusText(v))
        return 0
      }
      case 'start':
      case 'pause':
      case 'resume':
      case 'stop':
      case 'retry':
      case 'reset': {
        const target = needId()
        const act = { start: batches.startBatch, pause: batches.pause, resume: batches.resume, stop: batches.stopBatch, retry: batches.retryFailed, reset: batches.reset }[sub]
        const v = await act.call(batches, target)
        print(a, io, v, () => batchLine(v))
        return 0
      }
      case 'export': {
        const delimiter = exportDelimiter(a)
        const { csv } = await batches.exportCsv(needId(), a.values.history ? 'history' : 'results', delimiter)
        writeExport(a, io, csv)
        return 0
      }
      default:
        if (a.values.estimate === true) return await estimate(farm, io, sub, a, openLocal)
        return await createAndFollow(url, batches, io, sub, a)
    }
  } catch (err) {
    throw asBatchError(err)
  } finally {
    await farm.close()
  }
}

/** What the local `--estimate` prints, timed on the farm; the sheet is read and priced with this computer's studio. */
async function estimate(farm: FarmQueue, io: CliIo, source: string, a: BatchArgs, openLocal: () => Promise<Engine<any>>): Promise<number> {
  const args = createArgs(source, a)
  const studio = await openLocal()
  if (!(studio instanceof Studio)) throw new QueueError('unavailable', 'estimates need the studio (this engine has only test pipelines)')
  const e = await estimateFarmBatch(studio, farm.pool, { source: args.source, sheet: args.sheet, config: args.config }, { network: args.network })
  print(a, io, e, () => estimateText(e))
  return 0
}

async function createAndFollow(url: string, batches: FarmBatches, io: CliIo, source: string, a: BatchArgs): Promise<number> {
  const args = createArgs(source, a)
  const created = await batches.create({ source: args.source, sheet: args.sheet, name: args.name, projectId: args.projectId, config: args.config }, { network: args.network })
  const started = await batches.startBatch(created.id)
  if (!a.json) io.stdout.write(createdText(started))
  if (a.values.detach) {
    print(a, io, started, () => "queued on the farm; its workers run it (follow it with `studio batch status` and the same --queue-url)")
    return 0
  }
  // Said, not waited out in silence (with --json, stdout carries the batch's view and stderr only errors).
  if (!a.json && (await batches.liveWorkers()) === 0) io.stderr.write('studio: no worker is running on the farm: the batch waits until one starts (studio farm worker)\n')
  const v = await follow(url, batches, started, (b) => {
    if (!a.json && !io.stdout.isTTY) io.stdout.write(`${batchLine(b)}\n`)
  })
  print(a, io, v, () => batchStatusText(v))
  return v.failedRows === 0 && v.status === 'completed' ? 0 : 1
}

/** Read the batch again at each of its notices (and every few seconds) until it completes, stops or fails. */
async function follow(url: string, batches: FarmBatches, started: BatchView, onChange: (b: BatchView) => void): Promise<BatchView> {
  let wake: () => void = () => undefined
  const listener = await listenForBatchChanges(
    url,
    (notice) => {
      if (notice.all || notice.changed?.includes(started.id)) wake()
    },
    // A lost connection: the sweep goes on reading the batch.
    () => undefined
  ).catch(() => null)
  try {
    let last = started
    for (;;) {
      if (last.status === 'completed' || last.status === 'stopped' || last.status === 'error') return last
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, FOLLOW_SWEEP_MS)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      const now = await batches.view(started.id)
      if (now.updatedAt !== last.updatedAt || now.doneRows !== last.doneRows || now.failedRows !== last.failedRows || now.status !== last.status) onChange(now)
      last = now
    }
  } finally {
    await listener?.close()
  }
}
