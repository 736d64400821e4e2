import { writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BatchEstimate } from '../shared/estimate'
import type { BatchView } from '../shared/types'
import { estimateBatch } from '../main/engine/batch/estimate'
import { BatchManager } from '../main/engine/batch/manager'
import { batchResultsCsv, jobHistoryCsv } from '../main/engine/batch/export'
import { ConfigError } from '../main/engine/batch/config'
import { ANY_ADDRESS, MappingError, PUBLIC_ADDRESSES_ONLY, type NetworkPolicy } from '../main/engine/batch/sources'
import type { BatchSource } from '../shared/contract'
import { RowSourceError } from '../main/engine/batch/sources/errors'
import { TemplateError } from '../main/engine/batch/templates'
import type { Engine } from '../main/engine/engine'
import { QueueError } from '../main/engine/errors'
import { JsonDepthError, parseJsonText } from '../main/engine/json-text'
import { readInputFile } from './input-file'
import { Studio } from '../main/engine/studio'
import { bar, clockTime, duration, term } from './format'
import type { CliIo } from './io'
import { runPool } from './run'

export class BatchUsageError extends Error {}

export const BATCH_USAGE = `studio batch <file.csv|file.xlsx|url> [--rows A-B] [--config F] [--sheet NAME] [--pipeline P] [--name N] [--project P] [--detach]
            [--estimate (time and cost of the rows it would queue; queues nothing)]
            [--allow-private-urls (a link to this computer or its private network)]
studio batch list
studio batch status <id>
studio batch start|pause|resume|stop|retry|reset <id>
studio batch export <id> [--history] [--out FILE] [--delimiter ';' (Excel where decimals take a comma)]`

export interface BatchArgs {
  positionals: string[]
  values: Record<string, string | boolean | undefined>
  json: boolean
}

/**
 * The studio's own manager, or one for a bare engine (the tests' pipelines). Either way it is
 * started: it must hear its jobs finish to queue the next rows and record the batch's end —
 * a manager that is not listening left `studio batch` waiting forever whenever the jobs took
 * longer than its first status announcement.
 */
function managerOf(engine: Engine<any>): { batches: BatchManager; release(): void } {
  if (engine instanceof Studio) return { batches: engine.batches, release: () => {} }
  const batches = new BatchManager(engine)
  batches.start()
  return { batches, release: () => batches.stop() }
}

/** `studio batch …`: create a batch from a spreadsheet and drive it, or act on an existing one. */
export async function batchCommand(engine: Engine<any>, io: CliIo, a: BatchArgs): Promise<number> {
  const { batches, release } = managerOf(engine)
  const [sub, id] = a.positionals
  const print = (value: unknown, text: () => string) => io.stdout.write((a.json ? JSON.stringify(value, null, 2) : term(text(), { lines: true })) + '\n')
  const needId = () => {
    if (!id) throw new BatchUsageError(`usage: studio batch ${sub} <id>`)
    return id
  }
  try {
    switch (sub) {
      case 'list': {
        const list = batches.list()
        print(list, () => (list.length ? list.map(batchLine).join('\n') : 'no batches'))
        return 0
      }
      case 'status': {
        const v = batches.view(needId())
        print(v, () => batchStatusText(v))
        return 0
      }
      // An idle batch (after a reset, or a create cut short before it started) needs a start.
      case 'start':
      case 'pause':
      case 'resume':
      case 'stop':
      case 'retry':
      case 'reset': {
        const target = needId()
        const act = { start: batches.startBatch, pause: batches.pause, resume: batches.resume, stop: batches.stopBatch, retry: batches.retryFailed, reset: batches.reset }[sub]
        const v = act.call(batches, target)
        print(v, () => batchLine(v))
        return 0
      }
      case 'export': {
        const b = batches.require(needId())
        const delimiter = exportDelimiter(a)
        const csv = a.values.history ? jobHistoryCsv(engine.stores.batchReports, b.id, delimiter) : batchResultsCsv(engine.stores.batchReports, b.id, delimiter)
        writeExport(a, io, csv)
        return 0
      }
      case undefined:
        throw new BatchUsageError(`usage: ${BATCH_USAGE}`)
      default:
        return await createAndRun(engine, batches, io, sub, a)
    }
  } catch (err) {
    throw asBatchError(err)
  } finally {
    release()
  }
}

/** `--delimiter` of `batch export`: ',' or ';'. */
export function exportDelimiter(a: BatchArgs): ',' | ';' {
  const delimiter = a.values.delimiter ?? ','
  if (delimiter !== ',' && delimiter !== ';') throw new BatchUsageError(`--delimiter: ',' or ';', not ${JSON.stringify(delimiter)}`)
  return delimiter
}

/** An export to `--out FILE` (saying where), or to stdout. */
export function writeExport(a: BatchArgs, io: CliIo, csv: string): void {
  if (typeof a.values.out === 'string') {
    try {
      writeFileSync(a.values.out, csv)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      const why = code === 'ENOENT' ? `the folder ${dirname(a.values.out)} does not exist` : code === 'EISDIR' ? 'it is a folder' : (code ?? (err as Error).message)
      throw new QueueError('bad_request', `--out: cannot write ${a.values.out}: ${why}`)
    }
    print(a, io, { written: a.values.out }, () => `wrote ${a.values.out}`)
  } else {
    io.stdout.write(csv)
  }
}

/** A sheet's, a config's or a template's refusal as the command's answer (bad_request), saying how to allow a private link. */
export function asBatchError(err: unknown): unknown {
  const refusal = [err, (err as { cause?: unknown })?.cause].find((e) => e instanceof RowSourceError && e.code === 'FORBIDDEN_ADDRESS')
  if (refusal) return new QueueError('bad_request', `${(err as Error).message} (to import from this computer or your own network, add --allow-private-urls)`)
  if (err instanceof ConfigError || err instanceof MappingError || err instanceof RowSourceError || err instanceof TemplateError) {
    return new QueueError('bad_request', err.message)
  }
  return err
}

/** What `studio batch <file|url> …` asks for, read from its arguments (the same on a farm). */
export interface CreateArgs {
  source: BatchSource
  sheet: string | undefined
  config: Record<string, unknown>
  network: NetworkPolicy
  name: string | undefined
  projectId: string | undefined
}

export function createArgs(source: string, a: BatchArgs): CreateArgs {
  let config: Record<string, unknown> = {}
  if (typeof a.values.config === 'string') {
    let text: string
    try {
      text = readInputFile(a.values.config, '--config')
    } catch (err) {
      throw new BatchUsageError((err as Error).message)
    }
    try {
      config = parseJsonText(text) as Record<string, unknown>
    } catch (err) {
      if (err instanceof JsonDepthError) throw new BatchUsageError(`--config: ${a.values.config}: ${err.message}`)
      throw new BatchUsageError(`--config: ${a.values.config} is not valid JSON: ${(err as Error).message}`)
    }
  }
  if (typeof a.values.rows === 'string') {
    const m = /^(\d+)(?:-(\d+))?$/.exec(a.values.rows.trim())
    if (!m) throw new BatchUsageError('--rows must look like 2-50 (spreadsheet row numbers; the header is row 1)')
    config.rowRange = { start: Number(m[1]), ...(m[2] ? { end: Number(m[2]) } : {}) }
  }
  if (typeof a.values.pipeline === 'string') config.pipeline = a.values.pipeline
  // A file:// URL (what a file manager copies) names a local file like its path does.
  if (/^file:\/\//i.test(source)) {
    try {
      source = fileURLToPath(source)
    } catch (err) {
      throw new BatchUsageError(`${source} is not a file URL this system can open: ${(err as Error).message}`)
    }
  }
  const isUrl = /^https?:\/\//i.test(source)
  // The person typing the command may import from this computer or their own network, when they say so.
  const network = a.values['allow-private-urls'] === true ? ANY_ADDRESS : PUBLIC_ADDRESSES_ONLY
  const source_ = isUrl ? ({ kind: 'url', url: source } as const) : ({ kind: 'file', path: source } as const)
  const sheet = typeof a.values.sheet === 'string' ? a.values.sheet : undefined
  const name = typeof a.values.name === 'string' ? a.values.name : undefined
  const projectId = typeof a.values.project === 'string' ? a.values.project : undefined
  return { source: source_, sheet, config, network, name, projectId }
}

async function createAndRun(engine: Engine<any>, batches: BatchManager, io: CliIo, sourceArg: string, a: BatchArgs): Promise<number> {
  const { source: source_, sheet, config, network, name, projectId } = createArgs(sourceArg, a)
  if (a.values.estimate === true) {
    if (!(engine instanceof Studio)) throw new QueueError('unavailable', 'estimates need the studio (this engine has only test pipelines)')
    const e = await estimateBatch(engine, { source: source_, sheet, config }, { network })
    print(a, io, e, () => estimateText(e))
    return 0
  }
  const created = await batches.create(
    {
      source: source_,
      sheet,
      name,
      projectId,
      config
    },
    { network }
  )
  const started = batches.startBatch(created.id)
  if (!a.json) io.stdout.write(createdText(started))
  if (a.values.detach) {
    print(a, io, started, () => `queued; run \`studio run\` (or the app) to process it`)
    return 0
  }
  const finished = new Promise<void>((resolve) => {
    const off = engine.events.on('batch.changed', (e) => {
      if (e.batch.id !== started.id) return
      if (!a.json && !io.stdout.isTTY) io.stdout.write(`${batchLine(e.batch)}\n`)
      if (e.batch.status === 'completed' || e.batch.status === 'stopped' || e.batch.status === 'error') {
        off()
        resolve()
      }
    })
  })
  const code = await runPool(engine, io, { untilIdle: false, json: a.json, until: finished, quiet: true })
  const v = batches.view(started.id)
  print(a, io, v, () => batchStatusText(v))
  return code === 0 && v.failedRows === 0 ? 0 : 1
}

const TIME_UNKNOWN: Record<NonNullable<BatchEstimate['timeUnknown']>, string> = {
  'no-live-workers': 'no worker is running on the farm (studio farm worker)'
}

/** "12 rows (1 refused) · ~4m 10s with 2 at once · $0.0123": what Start would cost, before it is pressed. */
export function estimateText(e: BatchEstimate): string {
  const rows = `${e.rows} ${e.rows === 1 ? 'row' : 'rows'} of pipeline "${e.pipeline}" would be queued${e.refused ? ` (${e.refused} refused)` : ''}`
  const cost = `${e.costKnown ? '' : '≥ '}$${e.costUsd.toFixed(4)}${e.costKnown ? '' : ' (a model without a price counts as free)'}`
  const time = e.wallClockMs === null ? `unknown: ${TIME_UNKNOWN[e.timeUnknown ?? 'no-live-workers']} (${duration(e.workMs)} of work)` : `~${duration(e.wallClockMs)} (${duration(e.workMs)} of work)`
  return `${rows}\n  time  ${time}\n  cost  ${cost}\nnothing was queued`
}

/** What a new batch says before it runs: its rows, its ignored columns, its refused rows. */
export function createdText(started: BatchView): string {
  return (
    `batch ${started.id} "${term(started.name)}": ${started.totalRows} rows (${started.invalidRows} refused)` +
    (started.ignoredColumns.length ? `\n  ${ignoredText(started)}` : '') +
    (started.invalidRows ? `\n${started.errors.map((e) => `  row ${e.rowNumber}: ${term(e.reason.replace(/^row \d+: /, ''))}`).join('\n')}` : '') +
    '\n'
  )
}

export function print(a: BatchArgs, io: CliIo, value: unknown, text: () => string): void {
  io.stdout.write((a.json ? JSON.stringify(value, null, 2) : term(text(), { lines: true })) + '\n')
}

export function batchLine(b: BatchView): string {
  return `${b.id.slice(0, 8)}  ${b.status.padEnd(9)} ${bar(b.progress, 12)} ${String(Math.round(b.progress)).padStart(3)}%  ${b.doneRows}/${b.totalRows} done, ${b.failedRows} failed, ${b.invalidRows} refused${cancelledText(b)}  ${term(b.name)}`
}

/** Columns of the sheet that no job gets: said, so a misspelt or unsupported column is noticed. */
function ignoredText(b: BatchView): string {
  const names = b.ignoredColumns.map((c) => `"${term(c)}"`).join(', ')
  return `ignored ${b.ignoredColumns.length === 1 ? 'column' : 'columns'} ${names}: pipeline "${b.config.pipeline}" has no field for ${b.ignoredColumns.length === 1 ? 'it' : 'them'}`
}

export function batchStatusText(b: BatchView): string {
  const m = b.metrics
  const lines = [
    `${term(b.name)}  (${b.id})`,
    `  status     ${b.status}${m.alert ? '   ⚠ more than 20 % of the last rows failed' : ''}`,
    `  source     ${term(b.source)}${b.sheet ? ` [${term(b.sheet)}]` : ''}   pipeline ${term(b.config.pipeline)}   intensity ${b.config.intensity}`,
    `  progress   ${bar(b.progress)} ${b.progress}%   ${b.doneRows}/${b.totalRows} done, ${b.failedRows} failed, ${b.invalidRows} refused${cancelledText(b)}` +
      (b.currentRows.length ? `   now: row ${b.currentRows.join(', ')}` : ''),
    `  time       avg ${duration(m.avgRowMs)} per row` +
      (b.estimatedEndAt ? `   ends ~${clockTime(b.estimatedEndAt)}` : '') +
      `   steps: ${Object.entries(m.avgStepMs).map(([k, v]) => `${k} ${duration(v)}`).join(', ') || '—'}`,
    // A row's job with an unpriced step makes the figures floors.
    `  cost       ${m.costKnown ? '' : '≥ '}$${m.costUsd.toFixed(4)}${m.projectedCostUsd !== null ? ` (projected ${m.costKnown ? '' : '≥ '}$${m.projectedCostUsd.toFixed(4)})` : ''}   error rate ${Math.round(m.errorRate * 100)}%`
  ]
  if (b.ignoredColumns.length) lines.push(`  columns    ${ignoredText(b)}`)
  if (b.lastResult) {
    lines.push(
      `  last       row ${b.lastResult.rowNumber}: ${term(b.lastResult.outputPath ?? b.lastResult.jobId)}` +
        (b.lastResult.wordCount !== null ? `, ${b.lastResult.wordCount} words` : '') +
        (b.lastResult.durationMs !== null ? `, ${duration(b.lastResult.durationMs)}` : '')
    )
  }
  for (const e of b.errors.slice(0, 20)) lines.push(`  error      row ${e.rowNumber}: ${term(e.reason.replace(/^row \d+: /, ''))}`)
  if (b.errors.length > 20) lines.push(`  …and ${b.errors.length - 20} more (studio batch export ${b.id.slice(0, 8)})`)
  return lines.join('\n')
}

/** Rows a stop cancelled count in the progress: named, or 62.5 % would not add up. */
function cancelledText(b: BatchView): string {
  return b.cancelledRows ? `, ${b.cancelledRows} cancelled` : ''
}
