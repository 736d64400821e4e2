import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli } from '../helpers/cli'
import { openTestEngine, tempDir, until } from '../helpers/engine'
import { shortJobId } from '../../src/shared/job-id'

describe('studio CLI', () => {
  it('adds jobs, lists them in queue order, reorders and re-prioritises them', async () => {
    const run = cli(tempDir())
    const a = await run('add', 'three', '--input', '{"idea":"first idea"}')
    expect(a.code).toBe(0)
    const idA = a.out.trim()
    expect(idA).toMatch(/^[0-9a-f-]{36}$/)
    const idB = (await run('add', 'one', '--input', '{"idea":"second"}', '--priority', '3', '--project', 'promo')).out.trim()
    let list = await run('list')
    expect(list.out.split('\n')[1]).toContain('second')
    expect(list.out.split('\n')[2]).toContain('first idea')
    expect((await run('move', shortJobId(idA), 'top')).code).toBe(0)
    list = await run('list', '--json')
    expect(JSON.parse(list.out).map((j: { id: string }) => j.id)).toEqual([idA, idB])
    expect((await run('priority', idB, '1')).out).toContain('priority 1')
    list = await run('list', '--project', 'promo', '--json')
    expect(JSON.parse(list.out)).toHaveLength(1)
  })

  it("the run's summary counts what that run finished, not every earlier run", async () => {
    const run = cli(tempDir())
    await run('add', 'one', '--input', '{}')
    expect((await run('run', '--until-idle')).out).toContain('done: 1 completed, 0 failed, 0 still queued')
    await run('add', 'one', '--input', '{}')
    expect((await run('run', '--until-idle')).out).toContain('done: 1 completed, 0 failed, 0 still queued')
  })

  it("the run's summary leaves out the jobs another process (the app, a second `studio run`) finished", async () => {
    const dir = tempDir()
    const run = cli(dir)
    for (const hold of ['hold-1', 'hold-2']) {
      writeFileSync(join(dir, hold), '')
      await run('add', 'one', '--input', JSON.stringify({ holdWhile: { only: hold } }))
    }
    // The other process: its own connection to the same database; it takes both jobs first.
    const other = openTestEngine({}, dir)
    other.pool.start()
    try {
      await until(() => other.queue.list({ status: 'processing' }).length === 2, 10_000, 'the other process to take the jobs')
      // One finishes while this run watches, the other ends it.
      const releases = [setTimeout(() => rmSync(join(dir, 'hold-1')), 500), setTimeout(() => rmSync(join(dir, 'hold-2')), 2_500)]
      const ran = await run('run', '--until-idle')
      releases.forEach(clearTimeout)
      expect(other.queue.list({ status: 'completed' })).toHaveLength(2)
      expect(ran.out).toContain('done: 0 completed, 0 failed, 0 still queued')
    } finally {
      await other.close(0)
    }
  })

  it('runs the queue until idle and shows steps, outputs and the log', async () => {
    const dir = tempDir()
    const run = cli(dir)
    const id = (await run('add', 'three', '--input', '{"idea":"x","fail":{"b":{"kind":"permanent"}}}')).out.trim()
    const ran = await run('run', '--until-idle', '--concurrency', '2')
    expect(ran.code).toBe(0)
    expect(ran.out).toMatch(/failed at step b: bad input for b/)
    expect(ran.out).toContain('done: 0 completed, 1 failed')
    const show = await run('show', id)
    expect(show.out).toMatch(/1\. a\s+completed\s+attempts 1/)
    expect(show.out).toMatch(/2\. b\s+failed\s+attempts 1/)
    expect(show.out).toMatch(/a: .*01-a\..*a\.txt/)
    expect((await run('retry', id, '--from', 'z')).err).toBe('studio: --from: job has no step "z"; its steps are a, b, c\n')
    const retried = await run('retry', id, '--from', 'a')
    expect(retried.code).toBe(0)
    const logs = await run('logs', id)
    expect(logs.out).toContain('retry requested from step a')
    const stats = await run('stats', '--json')
    expect(JSON.parse(stats.out).byStatus.pending).toBe(1)
  })

  it('cancels, pauses, resumes and removes', async () => {
    const run = cli(tempDir())
    const id = (await run('add', 'one', '--input', '{}')).out.trim()
    expect((await run('pause', id)).out).toContain('paused')
    expect((await run('resume', id)).out).toContain('pending')
    expect((await run('pause')).out).toBe('queue paused\n')
    expect(JSON.parse((await run('stats', '--json')).out).paused).toBe(true)
    expect((await run('resume')).out).toBe('queue resumed\n')
    // A prefix names the job; the answer names it whole.
    expect((await run('cancel', id.slice(0, 6))).out).toBe(`${id} cancelled\n`)
    expect((await run('rm', id.slice(0, 6))).out).toBe(`removed ${id} "One step"\n`)
    expect((await run('list')).out).toBe('no jobs\n')
  })

  it('answers bad input with a clear message naming the problem and a non-zero exit', async () => {
    const dir = tempDir()
    const run = cli(dir)
    const cases: Array<[string[], RegExp, number]> = [
      [['add', 'nope', '--input', '{}'], /type: unknown job type "nope"; known types: .*one.*three/, 1],
      [['add', 'one', '--input', '{oops'], /--input is not valid JSON/, 2],
      [['add', 'one'], /exactly one of --input JSON or --input-file F/, 2],
      [['add', 'one', '--input-file', join(dir, 'missing.json')], /--input-file: cannot read .*missing\.json: ENOENT/, 2],
      [['add', 'one', '--input', '{}', '--priority', 'high'], /--priority must be a number, got "high"/, 2],
      [['add', 'one', '--input', '{}', '--priority', '12'], /^studio: --priority: priority must be between 1 \(first\) and 10 \(last\)/, 1],
      [['add', 'one', '--input', '{}', '--project', ''], /^studio: --project: project is empty/, 1],
      [['add', 'one', '--input', '[1]'], /input: input must be a JSON object/, 1],
      [['priority', 'abc'], /usage: studio priority <id> <1-10>/, 2],
      [['move', 'nope-id', 'up'], /no job with id nope-id/, 1],
      [['move', 'x', 'left'], /^studio: direction: direction must be up, down, top or bottom/, 1],
      [['list', '--status', 'done'], /--status must be one of pending, processing/, 2],
      [['list', '--colour'], /Unknown option '--colour'/, 2],
      [['list', '--project', ''], /^studio: --project: project is empty/, 1],
      [['show'], /usage: studio show <id>/, 2],
      [['retry', 'nope'], /no job with id nope/, 1],
      [['run', '--concurrency', '0'], /--concurrency must be a whole number from 1 to 64/, 2],
      [['serve', '--concurrency', '0'], /--concurrency must be a whole number from 1 to 64/, 2],
      [['cleanup'], /usage: studio cleanup --older-than DAYS/, 2],
      [['frobnicate'], /unknown command "frobnicate"/, 2]
    ]
    for (const [argv, message, code] of cases) {
      const r = await run(...argv)
      expect(r.err, argv.join(' ')).toMatch(message)
      expect(r.code, argv.join(' ')).toBe(code)
      expect(r.out, argv.join(' ')).toBe('')
    }
  })

  it('list says when the queue holds more jobs than it shows', async () => {
    const dir = tempDir()
    const engine = openTestEngine({}, dir)
    engine.queue.enqueueMany(Array.from({ length: 1001 }, (_, i) => ({ type: 'one', input: { label: `job ${i}` } })))
    await engine.close(0)
    const run = cli(dir)
    const all = await run('list')
    expect(all.out.trim().split('\n')).toHaveLength(1 + 1000)
    expect(all.err).toBe('studio: showing the first 1000 jobs; there are more (--limit N shows up to 100000)\n')
    const two = await run('list', '--limit', '2')
    expect(two.out.trim().split('\n')).toHaveLength(1 + 2)
    expect(two.err).toMatch(/showing the first 2 jobs; there are more/)
    // A filter that matches everything it shows says nothing more.
    expect((await run('list', '--text', 'job 1000')).err).toBe('')
    expect((await run('list', '--limit', '0')).err).toMatch(/--limit must be a whole number from 1 to 100000, got "0"/)
  })

  it('with --json, run prints only JSON lines, and a batch run prints one JSON document', async () => {
    const dir = tempDir()
    const run = cli(dir)
    await run('add', 'one', '--input', '{}')
    const ran = await run('--json', 'run', '--until-idle')
    expect(ran.code).toBe(0)
    const lines = ran.out.trim().split('\n')
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow()
    expect(lines.map((l) => JSON.parse(l).type)).toContain('job.changed')

    const file = join(dir, 'rows.csv')
    writeFileSync(file, 'idea\nfirst\nsecond\n')
    const batch = await run('--json', 'batch', file, '--pipeline', 'one')
    expect(batch.code).toBe(0)
    expect(JSON.parse(batch.out)).toMatchObject({ status: 'completed', doneRows: 2 })
  })

  it('cleanup says which finished jobs it removes: failed ones stay for a retry', async () => {
    const run = cli(tempDir())
    await run('add', 'one', '--input', '{}')
    await run('add', 'one', '--input', '{"fail":{"only":{"kind":"permanent"}}}')
    await run('run', '--until-idle')
    const cleaned = await run('cleanup', '--older-than', '0')
    expect(cleaned.out).toBe('removed 1 completed or cancelled job(s); failed jobs are kept for a retry (studio rm removes one)\n')
    expect(JSON.parse((await run('list', '--json')).out).map((j: { status: string }) => j.status)).toEqual(['failed'])
  })

  it('a data folder that cannot be opened is named, with where it came from', async () => {
    const file = join(tempDir(), 'not-a-folder')
    writeFileSync(file, '')
    const r = await cli(file)('--json', 'list')
    expect(r.code).toBe(1)
    expect(JSON.parse(r.err).error.message).toMatch(/^cannot open the data folder .*not-a-folder \(--data-dir\): E(EXIST|NOTDIR)/)
  })

  it('with --json, errors are JSON on stderr', async () => {
    const run = cli(tempDir())
    const r = await run('--json', 'priority', 'missing', '5')
    expect(r.code).toBe(1)
    expect(JSON.parse(r.err)).toEqual({ error: { code: 'not_found', message: 'no job with id missing' } })
  })

  it('reads the input from a file', async () => {
    const dir = tempDir()
    const file = join(dir, 'in.json')
    writeFileSync(file, JSON.stringify({ idea: 'from a file' }))
    const run = cli(dir)
    const id = (await run('add', 'one', '--input-file', file)).out.trim()
    const show = JSON.parse((await run('show', id, '--json')).out)
    expect(show.payload.idea).toBe('from a file')
    expect(show.log[0].message).toBe('queued with priority 10')
  })
})

describe('studio batch', () => {
  it('runs a batch from a CSV to the end, then shows, lists and exports it', async () => {
    const dir = tempDir()
    const file = join(dir, 'rows.csv')
    writeFileSync(file, 'idea;notes\nfirst;x1\n;x2\nthird;x3\n')
    const run = cli(dir)
    const ran = await run('batch', file, '--pipeline', 'one')
    expect(ran.err).toBe('')
    // "notes" is no field of the pipeline: the summary says so before listing the refused rows.
    expect(ran.out).toMatch(/"rows\.csv": 3 rows \(1 refused\)\n {2}ignored column "notes": pipeline "one" has no field for it\n {2}row 3: column "idea" is empty/)
    expect(ran.out).toMatch(/status {5}completed/)
    expect(ran.code).toBe(0)
    const list = JSON.parse((await run('batch', 'list', '--json')).out)
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ doneRows: 2, invalidRows: 1, status: 'completed' })
    const exported = await run('batch', 'export', list[0].id.slice(0, 8))
    // Each row's own cells (idea, notes) come first, then what became of it.
    expect(exported.out.split('\r\n')[0]).toMatch(/^\uFEFF?row,idea,notes,status,/)
    expect(exported.out.split('\r\n').slice(1, 4).map((l) => l.split(',').slice(1, 4))).toEqual([
      ['first', 'x1', 'completed'],
      ['', 'x2', 'invalid'],
      ['third', 'x3', 'completed']
    ])
    const history = await run('batch', 'export', list[0].id, '--history', '--out', join(dir, 'h.csv'))
    expect(history.out).toContain('wrote')
    // A UTF-8 BOM (for Excel), then one line per job of the batch with its history columns.
    const lines = readFileSync(join(dir, 'h.csv'), 'utf8').split('\r\n')
    expect(lines[0]).toBe('\uFEFFid,project,type,title,status,priority,retries,created_at,started_at,completed_at,duration_ms,cost_usd,cost_known,error')
    expect(lines.slice(1, 3).map((l) => l.split(',').slice(2, 7))).toEqual([
      ['one', 'first · #2', 'completed', '10', '0'],
      ['one', 'third · #4', 'completed', '10', '0']
    ])
  })

  it('a batch whose jobs outlast its first status announcement still ends: the manager hears them finish', async () => {
    const dir = tempDir()
    // The rows' remote step waits while its provider is down (file flag), well past 250 ms.
    writeFileSync(join(dir, 'flaky.down'), '')
    const file = join(dir, 'rows.csv')
    writeFileSync(file, 'idea;label\nfirst;r1\nsecond;r2\n')
    const back = setTimeout(() => rmSync(join(dir, 'flaky.down')), 800)
    try {
      const ran = await cli(dir)('batch', file, '--pipeline', 'remote')
      expect(ran.out).toMatch(/status {5}completed/)
      expect(ran.code).toBe(0)
    } finally {
      clearTimeout(back)
    }
  }, 30_000)

  it('a detached batch run by `studio run --until-idle` ends completed, with its finish time; reset starts it over', async () => {
    const dir = tempDir()
    const file = join(dir, 'ideas.csv')
    writeFileSync(file, 'prompt\n' + [...Array(5)].map((_, i) => `idée numéro ${i + 1}`).join('\n') + '\n')
    const run = cli(dir, 'studio')
    const queued = await run('batch', file, '--pipeline', 'text', '--detach', '--json')
    expect(queued.err).toBe('')
    const id = JSON.parse(queued.out).id as string
    // The 8-character id the CLI shows is enough to act on the batch.
    expect((await run('batch', 'pause', id.slice(0, 8))).out).toMatch(/^\w{8} {2}paused /)
    expect((await run('batch', 'resume', id.slice(0, 8))).out).toMatch(/^\w{8} {2}running /)
    // One worker: the batch feeds the queue two rows at a time, so the run must keep feeding it.
    const ran = await run('run', '--until-idle', '--concurrency', '1')
    expect(ran.code).toBe(0)
    const done = JSON.parse((await run('batch', 'status', id, '--json')).out)
    expect(done).toMatchObject({ status: 'completed', doneRows: 5, progress: 100 })
    expect(done.finishedAt).toBeGreaterThanOrEqual(done.startedAt)
    expect(done.lastResult.outputPath).toMatch(/text\.txt$/)
    expect(done.lastResult.wordCount).toBeGreaterThan(0)

    const reset = await run('batch', 'reset', id.slice(0, 8))
    expect(reset.out).toMatch(/idle .* 0%  0\/5 done/)
    expect(JSON.parse((await run('batch', 'status', id, '--json')).out)).toMatchObject({ status: 'idle', startedAt: null, finishedAt: null, lastResult: null })
    // An idle batch is started again by its id (the word used to be taken for a file name).
    expect((await run('batch', 'start', id.slice(0, 8))).out).toMatch(/^\w{8} {2}running /)
    expect((await run('run', '--until-idle')).code).toBe(0)
    expect(JSON.parse((await run('batch', 'status', id, '--json')).out)).toMatchObject({ status: 'completed', doneRows: 5 })
  })

  it('explains bad batch arguments', async () => {
    const dir = tempDir()
    const run = cli(dir)
    const file = join(dir, 'rows.csv')
    writeFileSync(file, 'idea\nx\n')
    expect((await run('batch', file, '--rows', 'two-five')).err).toMatch(/--rows must look like 2-50/)
    expect((await run('batch', file, '--rows', '1-5', '--pipeline', 'one')).err).toMatch(/rowRange\.start: must be 2 or more/)
    expect((await run('batch', join(dir, 'missing.csv'), '--pipeline', 'one')).err).toMatch(/file not found: .*missing\.csv/)
    expect((await run('batch', 'status')).err).toMatch(/usage: studio batch status <id>/)
    expect((await run('batch', 'pause', 'nope')).err).toMatch(/no batch with id nope/)
    expect((await run('batch', 'reset')).err).toMatch(/usage: studio batch reset <id>/)
    expect((await run('batch', file, '--config', join(dir, 'none.json'))).err).toMatch(/--config: cannot read/)
  })
})

describe('studio settings', () => {
  it('sets providers from the command line, refusing a key in settings and naming the field', async () => {
    const studio = cli(tempDir(), 'studio')
    const providers = JSON.stringify({ text: { kind: 'openai', baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3.2' } })
    const saved = await studio('settings', '--providers', providers, '--json')
    expect(saved.code).toBe(0)
    expect(JSON.parse(saved.out).providers.text).toEqual({ kind: 'openai', baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3.2', hasKey: false })
    const withKey = JSON.stringify({ text: { kind: 'openai', model: 'gpt-4o-mini', apiKey: 'sk-secret' } })
    const refused = await studio('settings', '--providers', withKey)
    expect(refused.code).toBe(1)
    expect(refused.err).toMatch(/providers\.text\.apiKey: API keys are never stored in settings/)
    const bad = await studio('settings', '--set', '{"concurrency":0}')
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(/concurrency/)
  })
})
