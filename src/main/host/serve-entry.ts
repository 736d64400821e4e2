/**
 * `studio serve`'s engine: a child process of the CLI, so the bridge's HTTP and WebSocket
 * answers never wait on SQLite. Arguments: --data-dir DIR [--farm-data-dir SHARED] [--concurrency N]; STUDIO_QUEUE_URL in
 * the environment puts the window's queue on that farm (set by serve.ts only when asked).
 */
import { parseArgs } from 'node:util'
import { openStudio } from '../engine/studio'
import { runChildHost } from './child-host'

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, 'farm-data-dir': { type: 'string' }, concurrency: { type: 'string' } } })
const dataDir = values['data-dir']
if (!dataDir) {
  process.stderr.write('serve-entry: --data-dir is required\n')
  process.exit(2)
}
const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency)

const queueUrl = process.env.STUDIO_QUEUE_URL || undefined
const farmRetryMs = process.env.STUDIO_FARM_RETRY_MS ? Number(process.env.STUDIO_FARM_RETRY_MS) : undefined

runChildHost((secrets) => openStudio({ dataDir, secrets, ...(concurrency !== undefined ? { concurrency } : {}) }), {
  ...(queueUrl ? { queueUrl } : {}),
  ...(values['farm-data-dir'] ? { farmDataDir: values['farm-data-dir'] } : {}),
  ...(farmRetryMs !== undefined && Number.isFinite(farmRetryMs) && farmRetryMs > 0 ? { farmRetryMs } : {})
}).catch((err: unknown) => {
  process.stderr.write(`studio: the engine could not start: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
