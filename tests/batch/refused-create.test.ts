import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { EngineEvent } from '../../src/shared/types'
import { useBatchEngine } from './helpers/batches'

const open = useBatchEngine()

describe('a batch whose rows cannot be imported while the app waits', () => {
  it('is refused with the reason, never announced to the app, and leaves no batch nor copy behind', async () => {
    const { engine, batches, dir } = open()
    const events: EngineEvent[] = []
    engine.events.subscribe((e) => events.push(e))
    batches.start()
    writeFileSync(join(dir, 'header.csv'), 'idea\n')
    writeFileSync(join(dir, 'quote.csv'), 'idea\nfine\n"never closed\n')
    // The app's way: answer after at most 1.5 s (studio-handlers' batch/create).
    await expect(
      batches.create({ source: { kind: 'file', path: join(dir, 'header.csv') }, config: { pipeline: 'one' } }, { waitMs: 1_500 })
    ).rejects.toThrow('header.csv has no data rows (only a header row)')
    await expect(
      batches.create({ source: { kind: 'file', path: join(dir, 'quote.csv') }, config: { pipeline: 'one' } }, { waitMs: 1_500 })
    ).rejects.toThrow(/quote\.csv at row 3/)
    expect(batches.list()).toEqual([])
    expect(readdirSync(join(engine.dataDir, 'batches'))).toEqual([])
    // The dashboard would otherwise keep a batch the engine no longer has.
    await new Promise((r) => setTimeout(r, 300))
    expect(events.filter((e) => e.type === 'batch.changed')).toEqual([])
  })
})
