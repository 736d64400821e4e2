/**
 * The lines the engine writes in a job's log, as templates. A line is stored as its code and its
 * values (job_logs.code, job_logs.params): the CLI and exports render the English below from them,
 * the app renders the user's language, and nothing parses prose back. Lines stored by earlier
 * releases hold only the English text; they are recognised by their template (parseLogLine), and
 * so are lines in the same words from any other writer.
 *
 * `{name}` is a value. Values are free text (an error message may hold anything), so a template
 * must not be a prefix of another with a value in between that could swallow the rest: the parser
 * tries the most specific templates (most literal text) first.
 */
export const LOG_LINES = {
  queued: 'queued with priority {priority}',
  prioritySet: 'priority set to {priority}',
  moved: 'moved {direction}',
  placedBefore: 'placed before {title}',
  placedAfter: 'placed after {title}',
  // Past a job of another priority, a job takes that priority (see queue/ordering.ts): said.
  movedPriority: 'moved {direction}; priority {was} → {priority}',
  placedBeforePriority: 'placed before {title}; priority {was} → {priority}',
  placedAfterPriority: 'placed after {title}; priority {was} → {priority}',
  cancelled: 'cancelled',
  cancelledWhileRunning: 'cancelled while running {step}',
  retryFrom: 'retry requested from step {step}',
  retryFromResumesEarlier: 'retry requested from step {step}; resumes at {resume}, which never finished',
  retryResumes: 'retry requested; resumes at {step}',
  paused: 'paused',
  pausing: 'pausing after step {step} finishes',
  resumed: 'resumed',
  pauseWithdrawn: 'pause withdrawn',
  skipping: 'skipping {step} (already done)',
  started: 'started {step} (attempt {attempt}/{max})',
  finished: 'finished {step} in {duration}',
  finishedFallback: 'finished {step} in {duration} (fallback)',
  finishedJob: 'finished {step} in {duration}; job completed',
  finishedJobFallback: 'finished {step} in {duration} (fallback); job completed',
  willRetry: '{step} failed, will retry in {delay}: {error}',
  providerDown: '{provider} is unavailable; {step} waits ({reason})',
  failed: 'failed at step {step}: {error}',
  fallback: '{step} failed for good ({error}); using its fallback',
  workerLost: 'worker {worker} stopped responding during {step}; job returned to the queue',
  engineStopping: 'engine stopping; the job will resume at its next step',
  engineStopped: 'engine stopped during {step}; it will resume at {next}',
  databaseLocked: 'the database was locked by another process at {step}; job returned to the queue',
  // `studio farm push`: the job left a machine's local queue for the farm, its finished steps kept.
  movedToFarm: 'moved from the local queue of {host} to the studio farm; {kept} finished step(s) kept',
  pausedBetweenSteps: 'paused between steps',
  queuePaused: 'queue paused; the job will resume at its next step',
  offlineScript: 'offline script from {provider} (templates, not a language model)',
  narration: 'narration by {provider}: {seconds} s',
  projectVisuals: 'using {count} project asset(s) as visuals',
  rendered: 'rendered {width}×{height}, {seconds} s with {source} ffmpeg {version}',
  renderedDraft: 'rendered a draft {width}×{height}, {seconds} s with {source} ffmpeg {version}',
  moderatedOne: 'text checked by {provider} before the {kind} step: not flagged',
  moderatedMany: '{count} texts checked by {provider} before the {kind} step: not flagged',
  existingTrack: 'offering an existing track instead: {track}',
  reusedVoice: 'reused the voice of scene {scene} (unchanged)',
  reusedPicture: 'reused the picture of scene {scene} (unchanged)',
  reusedSegment: 'reused the segment of scene {scene} (unchanged)',
  reusedMusic: 'reused the music (unchanged)',
  reusedVideo: 'reused the assembled video (unchanged)',
  sceneVisualAsset: 'picture of scene {scene}: project asset {name}',
  storyboardRendered: 'assembled {scenes} scene(s): {width}×{height}, {seconds} s'
} as const

export type LogLineCode = keyof typeof LOG_LINES
export type LogLineParams = Record<string, string | number>

/** A line as the engine stores it: which template, with which values. */
export interface LogEntry {
  code: LogLineCode
  params: LogLineParams
}

/** The line `code` with its values, to store (Queue.log, a step's ctx.log). */
export function logEntry(code: LogLineCode, params: LogLineParams = {}): LogEntry {
  return { code, params }
}

export function isLogLineCode(code: unknown): code is LogLineCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(LOG_LINES, code)
}

/** Each template split once into text and value names: odd entries are names. */
const PARTS = new Map<LogLineCode, string[]>()

/** The English line for `code`, as the engine stores it (several per job: no regex per line). */
export function logText(code: LogLineCode, params: LogLineParams = {}): string {
  let parts = PARTS.get(code)
  if (!parts) PARTS.set(code, (parts = LOG_LINES[code].split(/\{(\w+)\}/)))
  let line = parts[0]!
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i]!
    line += (name in params ? String(params[name]) : `{${name}}`) + parts[i + 1]!
  }
  return line
}

interface Matcher {
  code: LogLineCode
  names: string[]
  pattern: RegExp
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function matcherOf(code: LogLineCode): Matcher {
  const template = LOG_LINES[code]
  const names: string[] = []
  const source = template
    .split(/(\{\w+\})/)
    .map((part) => {
      const value = /^\{(\w+)\}$/.exec(part)
      if (!value) return escape(part)
      names.push(value[1]!)
      return '(.+?)'
    })
    .join('')
  return { code, names, pattern: new RegExp(`^${source}$`, 's') }
}

/** Most literal text first: "finished … (fallback); job completed" before "finished …". */
const MATCHERS: readonly Matcher[] = (Object.keys(LOG_LINES) as LogLineCode[])
  .map(matcherOf)
  .sort((a, b) => literalLength(LOG_LINES[b.code]) - literalLength(LOG_LINES[a.code]))

function literalLength(template: string): number {
  return template.replace(/\{\w+\}/g, '').length
}

/** Which template a stored line was written from, with its values; null for any other line. */
export function parseLogLine(message: string): { code: LogLineCode; params: Record<string, string> } | null {
  for (const m of MATCHERS) {
    const found = m.pattern.exec(message)
    if (!found) continue
    const params: Record<string, string> = {}
    m.names.forEach((name, i) => (params[name] = found[i + 1]!))
    return { code: m.code, params }
  }
  return null
}
