/**
 * A large import shares the engine's thread: a request made while it runs is answered before the
 * import ends, and the rows-read figure it shows counts what is stored — also when the import
 * resumes after its process was killed with SIGKILL mid-import, which stores every row once.
 */
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { studioHandlers } from '../../src/main/api/studio-handlers'
import { dispatch } from '../../src/main/api/dispatch'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import type { BatchView } from '../../src/shared/types'
import { tempDir, until } from '../helpers/engine'

let studio: Studio | undefined
afterEach(async () => {
  await studio?.close(0)
  studio = undefined
})

/** Every 10th row has a cell too many: a refused row, so that the refused count is checked too. */
function sheet(dir: string, rows: number): string {
  const path = join(dir, 'ideas.csv')
  writeFileSync(path, 'idea;language\n' + Array.from({ length: rows }, (_, i) => `Idea ${i}: why the sea is salty;en${i % 10 === 0 ? ';extra' : ''}\n`).join(''))
  return path
}

describe('a large import shares the engine', () => {
  it('answers jobs/list while a 40 000-row sheet is still importing', async () => {
    const dir = tempDir('studio-import-yields-')
    studio = openStudio({ dataDir: join(dir, 'data') })
    const handlers = studioHandlers(studio)
    const created = await studio.batches.create({ source: { kind: 'file', path: sheet(dir, 40_000) }, config: { pipeline: 'video' } }, { waitMs: 0 })
    let answeredWhileImporting = 0
    for (;;) {
      // Requests arrive as I/O does, between turns of the event loop (an answer alone is a microtask).
      await new Promise((r) => setTimeout(r, 1))
      const answer = await dispatch(handlers, 'jobs/list', { limit: 50 })
      expect(answer.ok).toBe(true)
      if (studio.batches.view(created.id).importing === null) break
      answeredWhileImporting++
    }
    expect(answeredWhileImporting).toBeGreaterThan(1)
    expect(studio.batches.view(created.id)).toMatchObject({ totalRows: 40_000, invalidRows: 4_000 })
  })

  it('resumes an import killed with SIGKILL, counting the rows stored before the kill, each stored once', async () => {
    const dir = tempDir('studio-import-kill-')
    const rows = 60_000
    const path = sheet(dir, rows)
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/batch-import-child.ts', dir, path], { stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise((resolve) => child.on('exit', (_c, signal) => resolve(signal)))
    let out = ''
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
    const batchId = await until(() => out.split('\n').length > 1 && out.split('\n')[0], 60_000, 'the child to create the batch')
    const db = new Database(join(dir, 'data', 'studio.db'), { readonly: true })
    const stored = () => db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM batch_rows WHERE batch_id = ?').get(batchId)!.n
    let before = 0
    try {
      await until(() => stored() >= 1_000, 60_000, 'some rows stored')
      child.kill('SIGKILL')
      expect(await exited).toBe('SIGKILL')
      before = stored()
      const imported = db.prepare<[string], { imported: number }>('SELECT imported FROM batches WHERE id = ?').get(batchId)!.imported
      // Killed mid-import (a machine fast enough to finish first makes this test meaningless: say so).
      expect(imported, `the import ended before the kill (${before} rows)`).toBe(0)
    } finally {
      db.close()
    }

    studio = openStudio({ dataDir: join(dir, 'data') })
    const seen: BatchView[] = []
    studio.events.on('batch.changed', (e) => e.batch.id === batchId && seen.push(e.batch))
    studio.batches.start()
    await studio.batches.imported(batchId)
    expect(studio.batches.view(batchId)).toMatchObject({ importing: null, totalRows: rows, invalidRows: rows / 10 })
    // The live figure went on from the rows already stored, never past the sheet.
    const reading = seen.filter((b) => b.importing !== null).map((b) => b.importing!.rowsRead)
    expect(reading).toEqual([...reading].sort((a, b) => a - b))
    expect(reading.every((n) => n >= before && n <= rows)).toBe(true)
    const last = await until(() => seen.at(-1)?.importing === null && seen.at(-1), 20_000, 'the imported batch announced')
    expect(last).toMatchObject({ totalRows: rows, invalidRows: rows / 10 })
  })
})
