/** `studio batch …`: spreadsheets (CSV, XLSX, Google Sheets links) turned into jobs. */
import { BATCH_USAGE, BatchUsageError, batchCommand } from '../batch'
import { UsageError, parse, type CommandGroup } from './context'

export const batchCommands: CommandGroup = async (_command, args, { io, json, open }) => {
  const { values, positionals } = parse(
    args,
    {
      rows: { type: 'string' },
      config: { type: 'string' },
      sheet: { type: 'string' },
      pipeline: { type: 'string' },
      name: { type: 'string' },
      project: { type: 'string' },
      detach: { type: 'boolean', default: false },
      history: { type: 'boolean', default: false },
      out: { type: 'string' },
      delimiter: { type: 'string' },
      estimate: { type: 'boolean', default: false },
      'allow-private-urls': { type: 'boolean', default: false }
    },
    { min: 1, max: 2, usage: BATCH_USAGE }
  )
  const e = await open(values)
  try {
    return await batchCommand(e, io, { positionals, values: values as Record<string, string | boolean | undefined>, json })
  } catch (err) {
    if (err instanceof BatchUsageError) throw new UsageError(err.message)
    throw err
  }
}
