/**
 * A large sheet does not freeze the "create batch" dialog: create() can answer before the import
 * ends, with a batch that says it is still reading, and batch.changed events report the rows read
 * so far until the import is done. A small sheet is imported before the answer.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import type { BatchView } from '../../src/shared/types'
import { tempDir } from '../helpers/engine'

let studio: Studio | undefined
afterEach(async () => {
  await studio?.close(0)
  studio = undefined
})

function sheet(dir: string, rows: number): string {
  const path = join(dir, 'ideas.csv')
  writeFileSync(path, 'idea\n' + Array.from({ length: rows }, (_, i) => `Idea ${i}: why the sea is salty\n`).join(''))
  return path
}

describe('batch import progress', () => {
  it('answers at once for a large sheet and reports the rows read until the import ends', async () => {
    const dir = tempDir('studio-import-progress-')
    studio = openStudio({ dataDir: join(dir, 'data') })
    const seen: BatchView[] = []
    studio.events.on('batch.changed', (e) => seen.push(e.batch))

    const created = await studio.batches.create({ source: { kind: 'file', path: sheet(dir, 40_000) }, config: { pipeline: 'video' } }, { waitMs: 0 })
    expect(created.importing).not.toBeNull()
    expect(created.totalRows).toBe(0)

    await studio.batches.imported(created.id)
    const reading = seen.filter((b) => b.importing !== null).map((b) => b.importing!.rowsRead)
    expect(reading.length).toBeGreaterThan(0)
    expect(reading.some((n) => n > 0 && n < 40_000)).toBe(true)
    expect(reading).toEqual([...reading].sort((a, b) => a - b))
    const done = studio.batches.view(created.id)
    expect(done).toMatchObject({ importing: null, totalRows: 40_000, status: 'idle' })
  })

  it('a small sheet is imported before the answer', async () => {
    const dir = tempDir('studio-import-progress-')
    studio = openStudio({ dataDir: join(dir, 'data') })
    const created = await studio.batches.create({ source: { kind: 'file', path: sheet(dir, 20) }, config: { pipeline: 'video' } }, { waitMs: 10_000 })
    expect(created).toMatchObject({ importing: null, totalRows: 20 })
  })
})
