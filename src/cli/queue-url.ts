/**
 * `--queue-url postgres://…` (or STUDIO_QUEUE_URL): which queue a command works on, read once for
 * every command. Unset, the local SQLite queue of the data folder, as always.
 *
 * The engine's PostgreSQL backend is being built: a command that cannot run on a farm yet refuses
 * when a queue URL is given, with a stable code, rather than quietly using the local queue (the
 * user would believe they queued work on the farm). A command moves to RUNS_ON_A_FARM when it can.
 */
import { FarmError } from '../main/engine/farm/errors'

/** Commands that run on a farm's queue when a queue URL is given. */
const RUNS_ON_A_FARM = new Set([
  'farm',
  // The window's jobs, queue, batches and storyboard renders (host/window-queue.ts).
  'serve',
  // Storyboards: edited in the data folder, rendered on the farm (src/cli/farm-storyboards.ts).
  'storyboard',
  // The job commands and the queue's own (src/cli/farm-queue.ts).
  // Batches: created here, run by the farm's workers (src/cli/farm-batch.ts); --estimate refuses there.
  'batch',
  ...['add', 'list', 'show', 'priority', 'move', 'cancel', 'rm', 'retry', 'pause', 'resume', 'logs', 'cleanup', 'stats']
])

/** Commands that only ever run on a farm (they need a queue URL). */
export const FARM_ONLY = new Set(['farm'])

export const QUEUE_URL_UNSUPPORTED = 'queue-url-unsupported'
export const NO_QUEUE_URL = 'no-queue-url'

/** Takes `--queue-url URL` / `--queue-url=URL` out of argv (the groups never see it). */
export function takeQueueUrlFlag(argv: readonly string[]): { flag: string | undefined; rest: string[] } {
  const rest: string[] = []
  let flag: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') {
      rest.push(...argv.slice(i))
      break
    }
    if (a === '--queue-url') {
      const value = argv[i + 1]
      // A missing value, or the next option taken for one, is a mistake to name, not a URL.
      if (value === undefined || value.startsWith('-')) throw new FarmError('invalid-queue-url', '--queue-url: give a URL, e.g. --queue-url postgres://studio@farm-db:5432/studio', '--queue-url')
      flag = value
      i++
    } else if (a.startsWith('--queue-url=')) {
      flag = a.slice('--queue-url='.length)
    } else {
      rest.push(a)
    }
  }
  return { flag, rest }
}

/**
 * The queue URL this command runs on, checked (scheme, host; no password in the query, where no
 * message could hide it), or undefined for the local queue. Throws FarmError naming the flag or
 * the variable at fault, or refusing a command that cannot run on a farm yet.
 */
export async function queueUrlFor(command: string | undefined, flag: string | undefined, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  // The local queue, as always: the farm's modules (and the PostgreSQL client) are not loaded.
  if (flag === undefined && !env.STUDIO_QUEUE_URL && !(command !== undefined && FARM_ONLY.has(command))) return undefined
  const { resolveQueueUrl } = await import('../main/engine/farm/commands')
  const from = flag !== undefined ? '--queue-url' : 'STUDIO_QUEUE_URL'
  const url = resolveQueueUrl(flag, env)
  if (url !== undefined) refusePasswordInQuery(url, from)
  if (command === undefined) return url
  if (url === undefined && FARM_ONLY.has(command)) {
    throw new FarmError(NO_QUEUE_URL, `studio ${command} needs the farm's queue: give --queue-url postgres://user@host:5432/database or set STUDIO_QUEUE_URL`, '--queue-url')
  }
  if (url !== undefined && !RUNS_ON_A_FARM.has(command)) {
    throw new FarmError(
      QUEUE_URL_UNSUPPORTED,
      `studio ${command} cannot run on a farm's queue yet (${from} is set): the job commands, \`stats\`, \`batch\` (not its --estimate), \`storyboard\` and the \`studio farm\` commands can; ` +
        `run it without ${from === '--queue-url' ? '--queue-url' : 'STUDIO_QUEUE_URL set'} to use this machine's local queue`,
      from
    )
  }
  return url
}

/**
 * A password given as `?password=` (or `sslpassword=`) would be printed by every message that
 * shows the URL with its password masked: refused, with where to put it instead.
 */
function refusePasswordInQuery(url: string, from: string): void {
  const params = new URL(url).searchParams
  for (const name of ['password', 'sslpassword']) {
    if (params.has(name)) {
      throw new FarmError('invalid-queue-url', `${from}: put the password after the user name (postgres://user:password@host/database), in PGPASSWORD or in ~/.pgpass, not in ?${name}=`, from)
    }
  }
}
