/**
 * `studio`: parses the command line and routes each command to its group in src/cli/commands/,
 * loaded only when used (a command pays for the modules it needs, not for every other one).
 */
import { QueueError } from '../main/engine/errors'
import { FarmError } from '../main/engine/farm/errors'
import { term } from './format'
import type { CliIo } from './io'
import { CommandFailed, UsageError, commandContext, type CommandGroup } from './commands/context'
import { takeQueueUrlFlag, queueUrlFor } from './queue-url'

export type { CliIo } from './io'

const USAGE = `studio — Creative Studio's engine, headless

usage: studio [--data-dir DIR] [--queue-url postgres://…] [--json] <command> [options]

jobs
  add <type> --input JSON | --input-file F [--priority 1-10] [--project P] [--title T]
  list [--status S] [--type T] [--project P] [--text Q] [--limit N (default 1000)]
  show <id>                     steps, attempts, outputs, log
  priority <id> <1-10>          1 runs first
  move <id> up|down|top|bottom
  cancel <id>
  retry <id> [--from STEP]      resumes at the failed step unless --from is given
  rm <id>
  cancel|retry|rm <id>... | --status S[,S]          many jobs in one go, e.g. cancel --status pending
  priority <id>... <1-10> | priority --status S <1-10>
  pause [<id>]                  a job, or the whole queue
  resume [<id>]
  logs <id> [--follow]
  cleanup --older-than DAYS     delete completed and cancelled jobs and their files
batches (CSV, XLSX, Google Sheets CSV export links)
  batch <file|url> [--rows A-B] [--config F] [--sheet NAME] [--pipeline P] [--detach] [--estimate] [--allow-private-urls]
  batch list | status <id> | start <id> | pause <id> | resume <id> | stop <id> | retry <id> | reset <id>
  batch export <id> [--history] [--out FILE] [--delimiter ';']
projects and storyboards (scene by scene; a render re-renders only what an edit changed)
  project create NAME | list | add-media <project> FILE… | media <project>
  project add-stock <project> (--query Q | --text NARRATION) [--video] [--count N]   Pexels photos/videos into the media bin
  storyboard create --project P (--idea TEXT | --assets ID,… | --blank) [--format 9:16|16:9|1:1] [--language L] [--render]
  storyboard list [--project P] | show <id> | undo <id> | redo <id> | rm <id>
  storyboard edit <id> <scene-number> [--narration TEXT] [--asset ID | --prompt TEXT] [--duration S] [--move-to N] [--remove]
  storyboard add-scene <id> [--after N] [--narration TEXT] … | settings <id> [--format F] [--music MOOD] …
  storyboard render <id> [--draft] [--scene N] [--estimate]
queue
  run [--concurrency N] [--until-idle]
  serve [--port P] [--host 127.0.0.1] [--concurrency N]   the studio UI in a browser (token-protected, loopback)
        [--farm-data-dir SHARED]  on a farm: its shared folder as this computer mounts it (results shown from there)
  stats | eta | health | pipelines | doctor
  voices                        the speech voices this machine (or the speech service) offers
  settings [--set JSON] [--providers JSON]   e.g. --providers '{"text":{"kind":"openai","baseURL":"http://127.0.0.1:11434/v1","model":"llama3.2","free":true}}'
  demo [--count N] [--draft]    render sample videos offline into ./demo-output (--draft: half size, fast)
studio farm (several machines, one PostgreSQL queue)
  farm init                     create or migrate the farm's schema (never destructive; safe from two machines at once)
  farm status                   the workers, what each runs, and the queue
  farm worker --data-dir SHARED [--concurrency N] [--local-dir DIR]
                                run the farm's jobs on this machine until Ctrl-C (SHARED: the data folder every machine mounts)
  farm push --farm-data-dir SHARED [--dry-run]
                                move this machine's unfinished jobs, batches and storyboards to the farm (farm push --help)
  farm limits [--set RESOURCE=N[/MS]]... [--clear RESOURCE]...
                                the providers' limits every worker holds to together (e.g. music=5/2000: 5 at a time,
                                2 s apart); a resource with none keeps each worker's own settings

--data-dir defaults to $STUDIO_DATA_DIR or the desktop app's data folder.
--queue-url defaults to $STUDIO_QUEUE_URL; unset, the data folder's own queue. The job commands, stats, batch
  (not its --estimate), serve (the window's jobs and queue) and the farm commands run on a farm's
  queue; the others refuse a queue URL rather than use the local queue.
--json prints machine-readable results on stdout and errors as JSON on stderr.`

const jobs = async () => (await import('./commands/jobs')).jobCommands
const queue = async () => (await import('./commands/queue')).queueCommands
const settings = async () => (await import('./commands/settings')).settingsCommands
const batch = async () => (await import('./commands/batch')).batchCommands
const storyboard = async () => (await import('./commands/storyboard')).storyboardCommands
const demo = async () => (await import('./commands/demo')).demoCommands
const serve = async () => (await import('./commands/serve')).serveCommands
const farm = async () => (await import('./commands/farm')).farmCommands

/** Every command and the group that runs it. */
const GROUP_OF: Record<string, () => Promise<CommandGroup>> = {
  add: jobs, list: jobs, show: jobs, priority: jobs, move: jobs, cancel: jobs, rm: jobs, retry: jobs,
  pause: jobs, resume: jobs, cleanup: jobs, logs: jobs,
  stats: queue, eta: queue, health: queue, pipelines: queue, run: queue,
  voices: settings, settings, doctor: settings,
  batch,
  project: storyboard, storyboard,
  demo,
  serve,
  farm
}

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  let ctx = commandContext(io, argv.includes('--json'))
  try {
    // Read once for every command, before the groups parse theirs (which never see it).
    const { flag, rest } = takeQueueUrlFlag(argv)
    const commandIndex = rest.findIndex((a, i) => !a.startsWith('-') && !(i > 0 && rest[i - 1] === '--data-dir'))
    const command = commandIndex >= 0 ? rest[commandIndex]! : undefined
    const args = commandIndex >= 0 ? [...rest.slice(0, commandIndex), ...rest.slice(commandIndex + 1)] : rest
    if (!command || command === 'help' || args.includes('--help') || args.includes('-h')) {
      // A subcommand with a help of its own.
      const own = command === 'farm' && args.includes('push') ? (await import('./commands/farm')).FARM_PUSH_HELP : undefined
      io.stdout.write((own ?? USAGE) + '\n')
      return command || args.length || flag !== undefined ? 0 : 2
    }
    const group = Object.hasOwn(GROUP_OF, command) ? GROUP_OF[command] : undefined
    if (!group) throw new UsageError(`unknown command "${command}"\n\n${USAGE}`)
    ctx = commandContext(io, ctx.json, await queueUrlFor(command, flag, io.env))
    return await (await group())(command, args, ctx)
  } catch (err) {
    // Commands that call the engine directly (batch, farm) throw its errors: their code is the answer's.
    const code =
      err instanceof UsageError ? 'usage' : err instanceof CommandFailed || err instanceof QueueError || err instanceof FarmError ? err.code : 'internal'
    const message = err instanceof Error ? err.message : String(err)
    io.stderr.write(ctx.json ? JSON.stringify({ error: { code, message } }) + '\n' : `studio: ${term(message, { lines: true })}\n`)
    return err instanceof UsageError || isQueueUrlMistake(err) ? 2 : 1
  } finally {
    await ctx.close()
  }
}

/** A queue URL missing, malformed, or given to a command that cannot use one: the command line is wrong (exit 2). */
function isQueueUrlMistake(err: unknown): boolean {
  return err instanceof FarmError && ['invalid-queue-url', 'no-queue-url', 'queue-url-unsupported'].includes(err.code)
}

function defaultIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    openEngine: async (dataDir, options) => {
      const { openStudio } = await import('../main/engine/studio')
      return openStudio({ dataDir, ...options })
    }
  }
}
