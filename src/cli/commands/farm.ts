/**
 * `studio farm init` and `studio farm status`: the studio farm's PostgreSQL queue, named by
 * --queue-url or STUDIO_QUEUE_URL (main.ts reads and checks it). Neither opens the data folder.
 */
import { UsageError, parse, type CommandGroup } from './context'

const USAGE = 'farm init|status [--queue-url postgres://user@host:5432/database] [--json]'

export const farmCommands: CommandGroup = async (_command, args, { queueUrl, print }) => {
  const { positionals } = parse(args, {}, { min: 1, max: 1, usage: USAGE })
  const url = queueUrl!
  const { farmInitCommand, farmStatus, formatFarmStatus } = await import('../../main/engine/farm/commands')
  switch (positionals[0]) {
    case 'init': {
      const { result, text } = await farmInitCommand(url)
      print(result, () => text)
      return 0
    }
    case 'status': {
      const status = await farmStatus(url)
      print(status, () => formatFarmStatus(status))
      return 0
    }
  }
  throw new UsageError(`unknown farm command "${positionals[0]}"\nusage: studio ${USAGE}`)
}
