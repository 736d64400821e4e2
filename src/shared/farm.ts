/**
 * The studio farm as the contract carries it: the queue URL a page may send (checked here, before
 * anything connects), and what Settings → "Studio farm" shows. No Node, no DOM in this file.
 *
 * A queue URL that comes through the contract comes from a page that could be compromised, so it
 * is held to a narrow shape: postgres:// or postgresql://, a host name or address (no Unix socket
 * directory: that would name a folder of this machine), a port from 1 to 65535, at most a database
 * name for a path, and only the query options that name no file (`sslmode`, `application_name`,
 * `connect_timeout`: `sslcert=/home/…`, `sslkey=…` would make the engine read files). A password
 * may be in the user part: the engine keeps it with the API keys and never sends it back.
 */
import { z } from 'zod'

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify']
const ALLOWED_OPTIONS = new Set(['sslmode', 'application_name', 'connect_timeout'])

/**
 * Why a queue URL is refused, as a stable reason the window words in the user's language
 * (issue-text.ts: `issue.custom.farm.<reason>`); the English message is for the CLI and logs.
 */
export type FarmUrlProblem = 'notUrl' | 'scheme' | 'host' | 'port' | 'path' | 'option' | 'passwordInQuery'

export function farmUrlProblem(text: string): { reason: FarmUrlProblem; message: string } | null {
  let u: URL
  try {
    u = new URL(text)
  } catch {
    // The URL parser refuses a port past 65535 outright: say it is the port.
    if (/^[a-z]+:\/\/[^/?#]*:\d{6,}|^[a-z]+:\/\/[^/?#]*:(6553[6-9]|655[4-9]\d|65[6-9]\d\d|6[6-9]\d{3}|[7-9]\d{4})(?:[/?#]|$)/i.test(text)) {
      return { reason: 'port', message: 'the port must be a number from 1 to 65535' }
    }
    return { reason: 'notUrl', message: 'not a URL: write it as postgres://user:password@host:5432/database' }
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    return { reason: 'scheme', message: `the scheme must be postgres:// or postgresql:// (got ${u.protocol}//)` }
  }
  if (!u.hostname) return { reason: 'host', message: 'no host: write it as postgres://user@host:5432/database' }
  // new URL keeps a non-special scheme's port as typed: "0", "99999" and "x" must be refused here.
  if (u.port !== '' && !(/^\d{1,5}$/.test(u.port) && Number(u.port) >= 1 && Number(u.port) <= 65535)) {
    return { reason: 'port', message: 'the port must be a number from 1 to 65535' }
  }
  if (!/^\/?[^/]*$/.test(u.pathname)) return { reason: 'path', message: 'after the host, give only the database name (postgres://host:5432/database)' }
  for (const name of u.searchParams.keys()) {
    if (name === 'password' || name === 'sslpassword') {
      return { reason: 'passwordInQuery', message: 'put the password after the user name (postgres://user:password@host/database), not in ?password=' }
    }
    if (!ALLOWED_OPTIONS.has(name)) return { reason: 'option', message: `the option ${name.slice(0, 40)} is not accepted here (only sslmode, application_name and connect_timeout)` }
  }
  const mode = u.searchParams.get('sslmode')
  if (mode !== null && !SSL_MODES.includes(mode)) return { reason: 'option', message: `sslmode must be one of ${SSL_MODES.join(', ')}` }
  return null
}

/** A queue URL from a page: checked as above, each refusal a custom issue carrying its reason. */
export const FarmQueueUrl = z
  .string({ error: 'queueUrl must be text' })
  .trim()
  // abort: an empty or overlong URL is that, not also "not a URL".
  .min(1, { error: 'queueUrl is empty', abort: true })
  .max(2048, { error: 'queueUrl is too long (2 048 characters at most)', abort: true })
  .superRefine((text, ctx) => {
    const problem = farmUrlProblem(text)
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message, params: { reason: `farm.${problem.reason}` } })
  })

/** The farm this studio is connected to, as a page may see it: never the password. */
export interface FarmConnectionView {
  /** The queue URL without its password, or null when the studio uses its local queue. */
  queueUrl: string | null
  /** A password is stored with the keys for this URL (shown masked, never sent). */
  hasPassword: boolean
  /** Where the farm's shared folder is mounted on this computer, or null: this studio's data folder is the share. */
  sharedDir: string | null
}

/**
 * Which queue a window works on. Local: this computer's SQLite queue, run by its own pool. On a
 * farm (`studio serve --queue-url`, or Settings → "Studio farm" connected): the jobs and the
 * queue's commands go to the farm's PostgreSQL, workers started with `studio farm worker` run
 * them, and this computer's pool and batches stay stopped (its own queue is set aside, not run).
 */
export interface FarmQueueState {
  /** The farm's URL without its password, or null for the local queue. */
  queueUrl: string | null
  /** The link to the farm is up (always true for the local queue). */
  connected: boolean
  /** Why the link is down (English, no password), or null. */
  problem: string | null
  /** 'flag': `studio serve --queue-url` or STUDIO_QUEUE_URL chose it (Settings cannot change it); 'settings': Settings → "Studio farm". */
  chosenBy?: 'flag' | 'settings'
  /**
   * On a farm: the folder the window reads the farm's results from (the farm's shared folder as
   * this computer mounts it: `serve --farm-data-dir`, Settings, else the data folder). The media
   * server serves the media of this folder too.
   */
  sharedDir?: string
}

export interface FarmWorkerView {
  id: string
  host: string
  pid: number
  version: string
  /** What it can run: ffmpeg, libass, speech, text, image, gpu… */
  has: string[]
  alive: boolean
  stopping: boolean
  lastSeenMsAgo: number
  running: Array<{ jobId: string; title: string; step: string | null }>
}

export type FarmQueueCounts = Record<'pending' | 'processing' | 'paused' | 'completed' | 'failed' | 'cancelled', number>

/** What `farm/status` and `studio farm status` answer. */
export interface FarmStatusView {
  schemaVersion: number | null
  workers: FarmWorkerView[]
  queue: FarmQueueCounts
  /** Pending jobs whose next step no live worker can run, by what they need. */
  unrunnable: Array<{ needs: string[]; jobs: number }>
  /** The resource limits the whole farm holds to (`studio farm limits`); absent from a farm older than them. */
  limits?: FarmLimitView[]
}

/** A resource limit every worker of the farm holds to together, with the steps running in it now. */
export interface FarmLimitView {
  resource: string
  concurrency: number
  minIntervalMs: number
  running: number
}

/** `farm/test`: the farm answered; its schema, and its status once initialised. */
export interface FarmTestResult {
  reachable: true
  /** The farm's schema version, or null before `studio farm init`. */
  schemaVersion: number | null
  /** The version this studio knows: another one means someone must run init or update studio. */
  knownVersion: number
  /** Round trip of the test, in ms. */
  ms: number
  status: FarmStatusView | null
}

/** The URL without its password, and the password (empty when none). Pure URL work: main uses it too. */
export function splitPassword(url: string): { queueUrl: string; password: string } {
  const u = new URL(url)
  const password = decodeURIComponent(u.password)
  u.password = ''
  return { queueUrl: u.toString(), password }
}
