/** A studio importing a sheet as a batch in its own process, until the parent SIGKILLs it. */
import { join } from 'node:path'
import { openStudio } from '../../src/main/engine/studio'

const [dataDir, sheet] = process.argv.slice(2)
if (!dataDir || !sheet) throw new Error('usage: batch-import-child <dataDir> <sheet.csv>')
const studio = openStudio({ dataDir: join(dataDir, 'data') })
const batch = await studio.batches.create({ source: { kind: 'file', path: sheet }, config: { pipeline: 'video' } }, { waitMs: 0 })
process.stdout.write(`${batch.id}\n`)
setInterval(() => {}, 1000)
