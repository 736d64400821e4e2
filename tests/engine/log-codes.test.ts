import { afterEach, describe, expect, it } from 'vitest'
import type { Engine } from '../../src/main/engine/engine'
import { databaseFile } from '../../src/main/engine/engine'
import { openDatabase } from '../../src/main/engine/store/database'
import { MIGRATIONS } from '../../src/main/engine/store/migrations'
import { logText } from '../../src/shared/log-lines'
import type { LogLine } from '../../src/shared/types'
import { logLineText } from '../../src/cli/format'
import { openTestEngine, tempDir } from '../helpers/engine'
import type { TestServices } from '../helpers/test-pipelines'

let engine: Engine<TestServices> | undefined
afterEach(async () => {
  await engine?.close()
  engine = undefined
})

describe('log lines stored as a code and its values', () => {
  it('a line round-trips as code + params: no English stored, English and French rendered from them', async () => {
    engine = openTestEngine()
    const announced: LogLine[] = []
    engine.events.on('job.log', (e) => announced.push(e.line))
    const job = engine.queue.enqueue({ type: 'three', input: {}, priority: 4 })
    engine.queue.setPriority(job.id, 2)

    const stored = engine.db
      .prepare<[string], { message: string; code: string | null; params: string | null }>('SELECT message, code, params FROM job_logs WHERE job_id = ? ORDER BY id')
      .all(job.id)
    expect(stored).toEqual([
      { message: '', code: 'queued', params: '{"priority":4}' },
      { message: '', code: 'prioritySet', params: '{"priority":2}' }
    ])

    const lines = engine.queue.logs(job.id)
    expect(lines.map((l) => [l.code, l.params, l.message])).toEqual([
      ['queued', { priority: 4 }, 'queued with priority 4'],
      ['prioritySet', { priority: 2 }, 'priority set to 2']
    ])
    // The live event carries the same code and values as a later read.
    expect(announced.map((l) => [l.code, l.params, l.message])).toEqual([['prioritySet', { priority: 2 }, 'priority set to 2']])
    expect(logLineText(lines[0]!)).toMatch(/INFO {2}queued with priority 4$/)
  })

  it('a step’s own words stay free text: stored and shown as written', () => {
    engine = openTestEngine()
    const job = engine.queue.enqueue({ type: 'three', input: {} })
    engine.queue.log(job.id, 'info', 'a line in my own words')
    const own = engine.queue.logs(job.id).at(-1)!
    expect([own.code, own.params, own.message]).toEqual([null, null, 'a line in my own words'])
  })

  it('a line an earlier release stored in English still shows in French after the upgrade', () => {
    const dir = tempDir()
    const file = databaseFile(dir)
    const old = openDatabase(file, MIGRATIONS.filter((m) => m.version <= 14))
    old.prepare("INSERT INTO jobs (id, seq, type, payload, status, position, created_at, updated_at) VALUES ('j1', 1, 'three', '{}', 'completed', 1, 1, 1)").run()
    const line = old.prepare("INSERT INTO job_logs (job_seq, job_id, ts, level, step, message) VALUES (1, 'j1', ?, ?, ?, ?)")
    line.run(1, 'info', 'a', logText('started', { step: 'a', attempt: 1, max: 3 }))
    line.run(2, 'warn', 'b', 'b failed, will retry in 1.5 s: HTTP 503: busy')
    line.run(3, 'info', 'c', 'something a step said')
    old.close()

    engine = openTestEngine({}, dir)
    const lines = engine.queue.logs('j1')
    // Recognised once, when read: the app gets the code and values it renders in the user's
    // language (tests/ui/log-language.test.tsx shows these very lines in French).
    expect(lines.map((l) => [l.code, l.params])).toEqual([
      ['started', { step: 'a', attempt: '1', max: '3' }],
      ['willRetry', { step: 'b', delay: '1.5 s', error: 'HTTP 503: busy' }],
      [null, null]
    ])
    // The CLI shows them exactly as they were stored.
    expect(lines.map((l) => logLineText(l).split(/ (INFO|WARN) {1,2}\[\w\] /)[2])).toEqual([
      'started a (attempt 1/3)',
      'b failed, will retry in 1.5 s: HTTP 503: busy',
      'something a step said'
    ])
  })
})
