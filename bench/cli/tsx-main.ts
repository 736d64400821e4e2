/**
 * The CLI as it ran before it was built: its TypeScript sources compiled by tsx at every start
 * (bench/cli/run.ts times it as `node --import tsx bench/cli/tsx-main.ts …`).
 */
import { main } from '../../src/cli/main'

process.exitCode = await main(process.argv.slice(2))
