import type { Engine } from '../main/engine/engine'

/** What the CLI reads and writes: the process's streams, or a test's buffers. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number }
  stderr: { write(text: string): unknown }
  env: NodeJS.ProcessEnv
  /** Opens the engine for a data dir (tests inject pipelines; the real CLI opens the studio). */
  openEngine(dataDir: string, options: { concurrency?: number }): Promise<Engine<any>> | Engine<any>
}
