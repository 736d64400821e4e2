/**
 * What every child-process engine does around `serveEngine`: talk to the parent over IPC, leave
 * the terminal's signals to the parent (it decides the grace and asks us to close), and when the
 * parent disappears without asking, release the running steps at once and exit, so no render
 * outlives the command that started it.
 */
import type { Engine } from '../engine/engine'
import type { SecretSource } from '../engine/services'
import { parentChannel } from './channels'
import { serveEngine } from './engine-host'

export async function runChildHost(
  open: (secrets: SecretSource) => Engine<any>,
  options: { startWork?: boolean; secrets?: 'client' | 'memory'; queueUrl?: string; farmDataDir?: string; farmRetryMs?: number } = {}
): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => {})
  const host = await serveEngine({
    channel: parentChannel(),
    open,
    secrets: options.secrets ?? 'memory',
    ...(options.startWork !== undefined ? { startWork: options.startWork } : {}),
    ...(options.queueUrl !== undefined ? { queueUrl: options.queueUrl } : {}),
    ...(options.farmDataDir !== undefined ? { farmDataDir: options.farmDataDir } : {}),
    ...(options.farmRetryMs !== undefined ? { farmRetryMs: options.farmRetryMs } : {}),
    onClosed: () => setImmediate(() => process.exit(0))
  })
  process.once('disconnect', () => {
    void host.close(0).finally(() => process.exit(0))
  })
}
