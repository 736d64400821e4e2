import type { Engine } from '../main/engine/engine'
import { Studio } from '../main/engine/studio'
import type { EngineEvent, JobView } from '../shared/types'
import { bar, duration, etaText, logLineText, term } from './format'
import type { CliIo } from './io'
import { percentText } from '../shared/progress'
import { shortJobId } from '../shared/job-id'

interface Live {
  title: string
  progress: number
  step: string | null
}

/**
 * `studio run`: start the pool and show what it does — live progress bars on a terminal, plain
 * lines otherwise (or JSON events with --json). SIGINT/SIGTERM stop gracefully; a second
 * SIGINT aborts running steps at once (their jobs go back to the queue).
 */
export async function runPool(
  engine: Engine<any>,
  io: CliIo,
  o: { untilIdle: boolean; json: boolean; until?: Promise<void>; quiet?: boolean }
): Promise<number> {
  const tty = Boolean(io.stdout.isTTY) && !o.json
  const live = new Map<string, Live>()
  let drawn = 0
  const clear = () => {
    if (drawn > 0) io.stdout.write(`\x1b[${drawn}A\x1b[0J`)
    drawn = 0
  }
  const draw = () => {
    if (!tty || hungUp) return
    clear()
    const eta = engine.eta()
    const etaById = new Map(eta.jobs.map((j) => [j.jobId, j.finishInMs]))
    const lines = [...live.entries()].map(
      ([id, l]) => `${bar(l.progress)} ${percentText(l.progress).padStart(4)}  ${l.step ?? ''}  eta ${etaText(etaById.get(id))}  ${term(l.title)}`
    )
    const stats = engine.queue.stats()
    lines.push(
      `queue: ${stats.byStatus.pending} pending (${stats.waiting} waiting), ${stats.byStatus.processing} running, ${stats.byStatus.completed} done, ${stats.byStatus.failed} failed — ${eta.totalMs === null ? 'queue paused' : `all done in ~${duration(eta.totalMs)}`}`
    )
    // Each line must fit on one row: the next redraw goes back up by the number of lines drawn,
    // and a wrapped line would leave its second row behind, once per redraw.
    const width = Math.max(10, (io.stdout.columns ?? 100) - 1)
    io.stdout.write(lines.map((text) => (text.length > width ? text.slice(0, width - 1) + '…' : text)).join('\n') + '\n')
    drawn = lines.length
  }
  // The terminal is gone (closed, or the reader of our output went away): nothing more is written.
  let hungUp = false
  // With --json, stdout holds only JSON (the events, or the calling command's result): the notes
  // for a person are left out.
  const say = (text: string) => {
    if (hungUp || o.json) return
    clear()
    io.stdout.write(term(text, { lines: true }) + '\n')
    draw()
  }

  // What this run finished (the database's totals include every earlier run). Another process's
  // jobs (the app, a second `studio run`) reach us as the same events: only the jobs our own
  // workers took are counted.
  const ours = new Set<string>()
  const finished = new Map<string, JobView['status']>()
  const onEvent = (e: EngineEvent) => {
    if (e.type === 'job.changed' && e.job.status === 'processing' && engine.pool.status().running.includes(e.job.id)) ours.add(e.job.id)
    if (e.type === 'job.changed' && ours.has(e.job.id) && ['completed', 'failed', 'cancelled'].includes(e.job.status)) finished.set(e.job.id, e.job.status)
    if (hungUp) return
    if (o.json) {
      // A quiet run (batch, demo) ends with its command's one JSON document: no event stream before it.
      if (!o.quiet && (e.type !== 'job.progress' || !tty)) io.stdout.write(JSON.stringify(e) + '\n')
      return
    }
    switch (e.type) {
      case 'job.changed':
        track(e.job)
        break
      case 'job.progress': {
        const l = live.get(e.jobId)
        if (l) {
          l.progress = e.progress
          l.step = e.step
        }
        break
      }
      case 'job.log':
        if ((tty || o.quiet) && e.line.level === 'debug') break
        if (o.quiet && e.line.level === 'info') break
        say(`${shortJobId(e.line.jobId)} ${logLineText(e.line)}`)
        break
      case 'provider.changed':
        say(`provider ${e.health.provider} is now ${e.health.state}${e.health.lastError ? ` (${e.health.lastError})` : ''}`)
        break
      case 'queue.changed':
        say(e.paused ? 'queue paused' : 'queue resumed')
        break
      case 'job.removed':
        live.delete(e.jobId)
        break
    }
  }
  const track = (job: JobView) => {
    if (job.status === 'processing') live.set(job.id, { title: job.title, progress: job.progress, step: job.currentStep })
    else live.delete(job.id)
  }

  const unsubscribe = engine.events.subscribe(onEvent)
  const redraw = tty ? setInterval(draw, 200) : null
  // The pool's timers do not hold the process open (an app embedding the engine must be able to
  // quit), so while nothing runs — an empty queue, a retry waiting for its time — nothing would:
  // Node would end here with an unsettled promise (exit code 13). `run` stays until it is done.
  const stayAlive = setInterval(() => {}, 60_000)
  let signals = 0
  const stopping = new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      signals++
      if (signals === 1) {
        say(`${sig}: finishing running steps (up to 10 s; press Ctrl-C again to stop now)…`)
        resolve()
      } else {
        say('stopping now; interrupted jobs go back to the queue')
        void engine.pool.stop(0)
      }
    }
    // Our tools run in their own process group (see OWN_PROCESS_GROUP), out of reach of the
    // terminal's hang-up: stop them now, or they would render on, orphaned.
    const onHangUp = () => {
      hungUp = true
      signals = 2
      resolve()
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    process.on('SIGHUP', onHangUp)
  })

  if (engine instanceof Studio) engine.startWork()
  else engine.pool.start()
  say(`running with ${engine.pool.getConcurrency()} workers on ${engine.dataDir}${o.untilIdle ? ' until the queue is empty' : ' (Ctrl-C to stop)'}`)
  await Promise.race([o.until ?? (o.untilIdle ? engine.pool.whenIdle() : new Promise(() => {})), stopping])
  await engine.pool.stop(signals > 1 ? 0 : 10_000)
  if (redraw) clearInterval(redraw)
  clearInterval(stayAlive)
  unsubscribe()
  clear()
  process.removeAllListeners('SIGINT')
  process.removeAllListeners('SIGTERM')
  process.removeAllListeners('SIGHUP')
  if (hungUp) return 0

  const stats = engine.queue.stats()
  if (!o.json) {
    const count = (status: JobView['status']) => [...finished.values()].filter((s) => s === status).length
    const cancelled = count('cancelled')
    io.stdout.write(
      `done: ${count('completed')} completed, ${count('failed')} failed${cancelled ? `, ${cancelled} cancelled` : ''}, ` +
        `${stats.byStatus.pending + stats.byStatus.paused} still queued${stats.paused ? ' (queue is paused)' : ''}\n`
    )
  }
  return 0
}
