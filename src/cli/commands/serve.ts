/** `studio serve`: the studio UI in a browser, on loopback, with the studio in a child process. */
import { isAbsolute } from 'node:path'
import { defaultDataDir } from '../../main/engine/paths'
import { UsageError, concurrencyArg, numberArg, parse, type CommandGroup } from './context'

export const serveCommands: CommandGroup = async (_command, args, { io, json, queueUrl }) => {
  const { values } = parse(
    args,
    { port: { type: 'string' }, host: { type: 'string' }, concurrency: { type: 'string' }, 'farm-data-dir': { type: 'string' } },
    { min: 0, max: 0, usage: 'serve [--port P] [--host 127.0.0.1] [--concurrency N] [--farm-data-dir SHARED]' }
  )
  const port = numberArg(values.port as string | undefined, '--port')
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError('--port must be a whole number from 0 to 65535')
  const concurrency = concurrencyArg(values.concurrency as string | undefined)
  // The studio opens in a child process of its own (serve.ts): this one only serves.
  const dataDir = (values['data-dir'] as string | undefined) ?? (io.env.STUDIO_DATA_DIR || defaultDataDir(io.env))
  const { serve } = await import('../serve')
  // With --queue-url (or STUDIO_QUEUE_URL) the window's jobs and queue are the farm's, its results
  // read from the farm's shared folder as this machine mounts it: --farm-data-dir, else the one
  // saved in Settings → "Studio farm", else the data folder itself.
  const farmDataDir = values['farm-data-dir'] as string | undefined
  if (farmDataDir !== undefined && !isAbsolute(farmDataDir)) throw new UsageError('--farm-data-dir must be an absolute path (the farm\'s shared folder as this computer mounts it)')
  return await serve({ dataDir, ...(farmDataDir !== undefined ? { farmDataDir } : {}), ...(concurrency !== undefined ? { concurrency } : {}), ...(queueUrl !== undefined ? { queueUrl } : {}) }, io, { port: port ?? 0, host: (values.host as string | undefined) ?? '127.0.0.1', json })
}
