import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { BatchManager } from '../../../src/main/engine/batch/manager'
import type { Engine } from '../../../src/main/engine/engine'
import { openTestEngine, tempDir } from '../../helpers/engine'
import type { TestServices } from '../../helpers/test-pipelines'

/**
 * A real engine (real SQLite file, test pipelines) with a batch manager, closed after each test.
 * Call `useBatchEngine()` once at the top of a test file.
 */
export function useBatchEngine() {
  let engine: Engine<TestServices> | undefined
  let batches: BatchManager | undefined
  afterEach(async () => {
    batches?.stop()
    await engine?.close(100)
    engine = undefined
    batches = undefined
  })
  return (dir = tempDir(), concurrency = 2) => {
    engine = openTestEngine({ concurrency }, dir)
    batches = new BatchManager(engine)
    return { engine, batches, dir }
  }
}

/** A UTF-8 CSV file written by the test: header first, one line per row. */
export function csvFile(dir: string, name: string, lines: string[]): string {
  const file = join(dir, name)
  writeFileSync(file, lines.join('\n') + '\n')
  return file
}

/** Rows `idea,label` numbered as the spreadsheet shows them (the header is row 1). */
export function labelledRows(prefix: string, count: number): string[] {
  return ['idea,label', ...[...Array(count)].map((_, i) => `${prefix} idea ${i + 2},${prefix}${i + 2}`)]
}
