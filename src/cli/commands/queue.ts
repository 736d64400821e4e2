/** The queue's commands: run (the pool in this terminal), stats, eta, health, pipelines. */
import { createHandlers, type Handlers } from '../../main/api/handlers'
import type { QueueStats } from '../../shared/types'
import { duration, queueEtaText, statsText } from '../format'
import { runPool } from '../run'
import { concurrencyArg, parse, type CommandGroup } from './context'

export const queueCommands: CommandGroup = async (command, args, { io, json, open, queue, queueUrl, call, print }) => {
  switch (command) {
    case 'stats': {
      const { values } = parse(args, {}, { min: 0, max: 0, usage: 'stats' })
      // On a farm, its queue's counts; the spend against budgets is this studio's own (its settings), not shown there.
      const handlers = queueUrl !== undefined ? (await queue(values)).handlers : (await import('../../main/api/studio-handlers')).studioHandlers(await open(values))
      const s = inTypeOrder((await call(handlers, 'queue/stats', {})) as QueueStats)
      print(s, () => statsText(s))
      return 0
    }
    case 'eta': {
      const { values } = parse(args, {}, { min: 0, max: 0, usage: 'eta' })
      const eta = (await call(createHandlers(await open(values)), 'queue/eta', {})) as Awaited<ReturnType<Handlers['queue/eta']>>
      print(eta, () => queueEtaText(eta))
      return 0
    }
    case 'health': {
      const { values } = parse(args, {}, { min: 0, max: 0, usage: 'health' })
      const list = (await call(createHandlers(await open(values)), 'providers/health', {})) as Awaited<ReturnType<Handlers['providers/health']>>
      print(list, () =>
        list.length === 0
          ? 'no provider calls in the last 24 h'
          : list
              .map(
                (p) =>
                  `${p.provider.padEnd(20)} ${p.state.padEnd(9)} success ${p.successRate24h === null ? '—' : Math.round(p.successRate24h * 100) + '%'} of ${p.calls24h}` +
                  `   avg ${duration(p.avgDurationMs24h)}${p.lastError ? `   last error: ${p.lastError}` : ''}`
              )
              .join('\n')
      )
      return 0
    }
    case 'pipelines': {
      const { values } = parse(args, {}, { min: 0, max: 0, usage: 'pipelines' })
      const list = (await call(createHandlers(await open(values)), 'pipelines/list', {})) as Awaited<ReturnType<Handlers['pipelines/list']>>
      print(list, () => list.map((p) => `${p.name.padEnd(10)} ${p.steps.map((s) => s.name).join(' → ')}`).join('\n'))
      return 0
    }
    case 'run': {
      const { values } = parse(
        args,
        { concurrency: { type: 'string' }, 'until-idle': { type: 'boolean', default: false } },
        { min: 0, max: 0, usage: 'run [--concurrency N] [--until-idle]' }
      )
      const concurrency = concurrencyArg(values.concurrency as string | undefined)
      const e = await open(values, concurrency !== undefined ? { concurrency } : {})
      return await runPool(e, io, { untilIdle: Boolean(values['until-idle']), json })
    }
  }
  throw new Error(`not a queue command: ${command}`)
}

/**
 * The counts by type (and by status within one), in name order: SQLite's GROUP BY gives them so,
 * PostgreSQL's in whatever order its hash gave; a script reading either queue sees the same.
 */
function inTypeOrder(s: QueueStats): QueueStats {
  const sorted = <T>(o: Record<string, T>, each: (v: T) => T = (v) => v) =>
    Object.fromEntries(Object.keys(o).sort().map((k) => [k, each(o[k]!)])) as Record<string, T>
  return { ...s, byType: sorted(s.byType, (counts) => sorted(counts)), avgDurationMsByType: sorted(s.avgDurationMsByType) }
}
