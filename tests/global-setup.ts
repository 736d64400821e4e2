import { buildCli, cliIsStale } from '../scripts/build-cli.mjs'

/**
 * Tests spawn `studio` (bin/studio.mjs), which runs the build in out/cli: rebuild it first when a
 * source is newer, so a test never runs yesterday's CLI against today's sources (about a second).
 */
export default async function setup(): Promise<void> {
  if (cliIsStale()) await buildCli({ quiet: true })
}
