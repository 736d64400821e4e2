/**
 * Every `studio` command with random and hostile arguments: wrong types, NaN and negative
 * priorities, unknown and ambiguous ids, LIKE wildcards, path traversal, huge and deeply nested
 * JSON, binary bytes. Each run exits with a clear message (0, 1 or 2), never a stack trace and
 * never `internal`; the database stays intact. Most runs call the CLI's entry in this process
 * (the same `main` as the binary); a few start the real binary, which costs ~2 s each.
 */
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { cli } from '../helpers/cli'
import { tempDir } from '../helpers/engine'
import { hostileStrings, nested } from '../helpers/hostile-values'
import { longTorture } from '../helpers/seeded'

let dir: string
let studio: Studio
let ids: string[] = []
beforeAll(() => {
  dir = tempDir('studio-hostile-cli-')
  studio = openStudio({ dataDir: dir, concurrency: 1, env: {} })
  ids = [1, 2, 3].map((n) => studio.queue.enqueue({ type: 'text', input: { prompt: `job ${n}` } }).id)
  writeFileSync(join(dir, 'deep.json'), JSON.stringify({ prompt: 'x', deep: nested(3_000) }))
  writeFileSync(join(dir, 'binary.csv'), Buffer.from([0, 1, 2, 27, 91, 50, 74, 255, 254, 0, 10, 13]))
  writeFileSync(join(dir, 'ok.csv'), 'prompt\na haiku\n')
})
afterAll(async () => {
  await studio.close(100)
})

const runs = (n: number) => (longTorture ? n * 5 : n)
const seedParams = () => (process.env.STUDIO_TORTURE_SEED ? { seed: Number(process.env.STUDIO_TORTURE_SEED) } : {})

/** An argument a person (or a script gone wrong) could type. argv cannot hold a NUL byte. */
const arg = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: hostileStrings.map((s) => s.replace(/\u0000/g, '')) },
    { weight: 2, arbitrary: fc.constantFrom(...ids, ...ids.map((id) => id.slice(0, 4)), '-5', '0', '1.5', 'NaN', '1e9', 'top', 'sideways', '{}', '[]', 'null', '{"prompt":1}') },
    { weight: 1, arbitrary: fc.constantFrom(join(dir, 'deep.json'), join(dir, 'binary.csv'), join(dir, 'ok.csv'), join(dir, 'missing.csv'), '/dev/null', dir) },
    { weight: 1, arbitrary: fc.constantFrom('--priority', '--json', '--input', '--input-file', '--status', '--limit', '--rows', '--pipeline', '--from', '--set', '--older-than', '--sheet', '--delimiter') }
  )

// Not here: run/serve/demo (they run work or listen), logs --follow (it waits), doctor (slow, no
// input), and `batch export --out` (a known bug: a missing folder answers `internal`, issue 20).
const COMMANDS: readonly string[][] = [
  ['add', 'text'],
  ['add', 'video'],
  ['add'],
  ['list'],
  ['show'],
  ['priority'],
  ['move'],
  ['cancel'],
  ['retry'],
  ['rm'],
  ['pause'],
  ['resume'],
  ['logs'],
  ['cleanup'],
  ['batch'],
  ['batch', 'status'],
  ['batch', 'stop'],
  ['batch', 'retry'],
  ['stats'],
  ['eta'],
  ['health'],
  ['pipelines'],
  ['settings'],
  ['frobnicate']
]

/** Built once the seeded jobs and files exist. */
const argv = () =>
  fc.tuple(fc.constantFrom(...COMMANDS), fc.array(arg(), { maxLength: 4 }), fc.boolean()).map(([command, rest, json]) => [...(json ? ['--json'] : []), ...command, ...rest])

const STACK = /\n\s+at .+:\d+:\d+\)?/

function expectClear(args: string[], code: number, out: string, err: string) {
  const what = `studio ${args.map((a) => JSON.stringify(a).slice(0, 60)).join(' ')} → ${code}\n${err.slice(0, 500)}`
  expect([0, 1, 2], what).toContain(code)
  expect(err, what).not.toMatch(STACK)
  expect(out, what).not.toMatch(STACK)
  expect(err, what).not.toMatch(/\binternal\b/)
  if (code !== 0) expect(err.trim().length, what).toBeGreaterThan(0)
}

describe('hostile CLI runs', () => {
  it('every command in process, random and hostile arguments: a clear exit, never a stack trace or internal', async () => {
    const run = cli(dir, 'studio')
    await fc.assert(
      fc.asyncProperty(argv(), async (args) => {
        const { code, out, err } = await run(...args)
        expectClear(args, code, out, err)
      }),
      { numRuns: runs(500), ...seedParams() }
    )
    expect(studio.db.pragma('integrity_check', { simple: true })).toBe('ok')
  })

  it('the real binary, a few runs: the process ends by itself with a clear message', { timeout: 180_000 }, async () => {
    const samples = fc.sample(argv(), { numRuns: runs(5), ...seedParams() })
    samples.push(['add', 'text', '--input-file', join(dir, 'deep.json')], ['priority', ids[0]!, 'NaN'], ['batch', join(dir, 'binary.csv')])
    for (const args of samples) {
      const child = spawn(process.execPath, ['bin/studio.mjs', '--data-dir', dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      let err = ''
      child.stdout.on('data', (d: Buffer) => (out += d.toString()))
      child.stderr.on('data', (d: Buffer) => (err += d.toString()))
      const code = await new Promise<number>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
        child.on('exit', (c, signal) => {
          clearTimeout(timer)
          resolve(signal ? -1 : (c ?? -1))
        })
      })
      expectClear(args, code, out, err)
    }
    expect(studio.db.pragma('integrity_check', { simple: true })).toBe('ok')
  })
})
