/** `studio batch …`: spreadsheets (CSV, XLSX, Google Sheets links) turned into jobs. */
import { BATCH_USAGE, BatchUsageError, batchCommand } from '../batch'
import { defaultDataDir } from '../../main/engine/paths'
import { UsageError, parse, type CommandGroup } from './context'

export const batchCommands: CommandGroup = async (_command, args, { io, json, open, queueUrl }) => {
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
  try {
    const a = { positionals, values: values as Record<string, string | boolean | undefined>, json }
    if (queueUrl !== undefined) {
      // On the farm (nothing local is opened): the data folder is the farm's shared one as this machine mounts it.
      const dataDir = (values['data-dir'] as string | undefined) ?? (io.env.STUDIO_DATA_DIR || defaultDataDir(io.env))
      return await (await import('../farm-batch')).farmBatchCommand(queueUrl, dataDir, io, a, () => open(values))
    }
    return await batchCommand(await open(values), io, a)
  } catch (err) {
    if (err instanceof BatchUsageError) throw new UsageError(err.message)
    throw err
  }
}
