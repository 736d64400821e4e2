/**
 * `studio farm init`, `studio farm status`, `studio farm limits` and `studio farm worker`: the studio farm's PostgreSQL
 * queue, named by --queue-url or STUDIO_QUEUE_URL (main.ts reads and checks it). Init and status
 * never open a data folder; the worker runs on the shared one (--data-dir).
 */
import { UsageError, concurrencyArg, parse, type CommandContext, type CommandGroup } from './context'

const USAGE =
  'farm init|status [--queue-url postgres://user@host:5432/database] [--json]\n' +
  '       studio farm worker --data-dir SHARED [--concurrency N] [--local-dir DIR] [--queue-url URL] [--json]\n' +
  '       studio farm limits [--set resource=concurrency[/intervalMs]]... [--clear resource]... [--queue-url URL] [--json]'

export const farmCommands: CommandGroup = async (_command, args, ctx) => {
  const { positionals, values } = parse(args, { concurrency: { type: 'string' }, 'local-dir': { type: 'string' }, ...LIMITS_OPTIONS }, { min: 1, max: 1, usage: USAGE })
  const url = ctx.queueUrl!
  const sub = positionals[0]
  if (sub !== 'worker') {
    for (const flag of ['concurrency', 'local-dir']) if (values[flag] !== undefined) throw new UsageError(`--${flag} is for \`studio farm worker\` only\nusage: studio ${USAGE}`)
  }
  if (sub !== 'limits') {
    for (const flag of Object.keys(LIMITS_OPTIONS)) if (values[flag] !== undefined) throw new UsageError(`--${flag} is for \`studio farm limits\` only\nusage: studio ${USAGE}`)
  }
  switch (sub) {
    case 'init': {
      const { farmInitCommand } = await import('../../main/engine/farm/commands')
      const { result, text } = await farmInitCommand(url)
      ctx.print(result, () => text)
      return 0
    }
    case 'status': {
      const { farmStatus, formatFarmStatus } = await import('../../main/engine/farm/commands')
      const status = await farmStatus(url)
      ctx.print(status, () => formatFarmStatus(status))
      return 0
    }
    case 'limits':
      return farmLimits(ctx, url, values)
    case 'worker': {
      const dataDir = (values['data-dir'] as string | undefined) ?? (ctx.io.env.STUDIO_DATA_DIR || undefined)
      if (!dataDir) throw new UsageError(`studio farm worker needs the shared data folder: give --data-dir SHARED (the folder every machine mounts)\nusage: studio ${USAGE}`)
      const { runFarmWorker } = await import('../farm-worker')
      return runFarmWorker(ctx, {
        url,
        dataDir,
        localDir: values['local-dir'] as string | undefined,
        concurrency: concurrencyArg(values.concurrency as string | undefined)
      })
    }
  }
  throw new UsageError(`unknown farm command "${sub}"\nusage: studio ${USAGE}`)
}

const LIMITS_OPTIONS = { set: { type: 'string', multiple: true }, clear: { type: 'string', multiple: true } } as const

/** `studio farm limits`: show, set or clear the resource limits every worker holds to (farm/limits.ts). */
async function farmLimits(ctx: CommandContext, url: string, values: Record<string, unknown>): Promise<number> {
  const { farmLimitsCommand } = await import('../../main/engine/farm/limits')
  const { result, text } = await farmLimitsCommand(url, { set: (values.set as string[] | undefined) ?? [], clear: (values.clear as string[] | undefined) ?? [] })
  ctx.print(result, () => text)
  return 0
}
