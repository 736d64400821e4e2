/**
 * Every contract command through the real `dispatch` (what Electron IPC and the `studio serve`
 * bridge call) against a real studio, with random and hostile requests. Each answer is a valid
 * result or a clear refusal (`bad_request`, `not_found`, … never `internal`, never a throw);
 * a refused call changes nothing; the database stays intact.
 *
 * Seeds: fast-check prints the seed and path of a failure; `STUDIO_TORTURE_SEED=<n>` replays a
 * run, `STUDIO_TORTURE=long` runs ten times more cases.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatch, type Handlers } from '../../src/main/api/handlers'
import { studioHandlers } from '../../src/main/api/studio-handlers'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { commands, COMMAND_NAMES, type CommandName } from '../../src/shared/contract'
import { tempDir } from '../helpers/engine'
import { hostileNumbers, hostileStrings, hostileValue, nested } from '../helpers/hostile-values'
import { longTorture } from '../helpers/seeded'

/** Commands that run real tools for seconds (a frame render, doctor's tool checks): fewer cases. */
const SLOW: readonly CommandName[] = ['settings/previewSubtitles', 'system/doctor']

let studio: Studio
let handlers: Handlers
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)
let ids: string[] = []

beforeAll(async () => {
  studio = openStudio({ dataDir: tempDir('studio-hostile-'), concurrency: 1, env: {} })
  handlers = studioHandlers(studio)
  // The pool never starts: jobs stay where the calls put them.
  ids = [1, 2, 3].map((n) => studio.queue.enqueue({ type: 'text', input: { prompt: `job ${n}` } }).id)
  process.on('unhandledRejection', onUnhandled)
})
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled)
  await studio.close(100)
})

/** The fields a command's request schema knows (its object shape), for requests that look almost right. */
function fieldsOf(name: CommandName): string[] {
  const schema = commands[name].request as unknown as { shape?: Record<string, unknown>; def?: { in?: { shape?: Record<string, unknown> } } }
  return Object.keys(schema.shape ?? schema.def?.in?.shape ?? {})
}

/** Values a field may be given: hostile ones, the ids of real jobs, their prefixes, and plausible nested shapes. */
const fieldValue = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: hostileValue },
    { weight: 2, arbitrary: fc.constantFrom(...ids, ...ids.map((id) => id.slice(0, 4)), ...ids.map((id) => id.slice(0, 1))) },
    {
      weight: 1,
      arbitrary: fc.record(
        {
          kind: fc.constantFrom('file', 'url', 'upload', 'offline', 'openai', 'x'),
          path: hostileStrings,
          url: fc.constantFrom('http://127.0.0.1:1/rows.csv', 'ftp://example.invalid/x.csv', 'file:///etc/passwd', 'javascript:alert(1)', 'http://[::1]:1/', 'not a url'),
          name: hostileStrings,
          contentBase64: fc.oneof(hostileStrings, fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('base64'))),
          baseURL: fc.constantFrom('http://127.0.0.1:1/v1', 'https://api.openai.com/v1', 'nope'),
          model: hostileStrings,
          pipeline: fc.constantFrom('video', 'text', '3d', '../x', '__proto__'),
          prompt: hostileStrings
        },
        { requiredKeys: [] }
      )
    }
  )

/** A request: anything at all, or an object with the command's own fields (and maybe a stray one) given hostile values. */
const requestFor = (name: CommandName): fc.Arbitrary<unknown> => {
  const fields = fieldsOf(name)
  const shaped = fields.length
    ? fc.record(Object.fromEntries(fields.map((f) => [f, fieldValue()])), { requiredKeys: [] }).chain((r) =>
        fc.oneof({ weight: 4, arbitrary: fc.constant(r) }, { weight: 1, arbitrary: hostileStrings.map((k) => ({ ...r, [k]: 1 })) })
      )
    : fc.constant({})
  return fc.oneof({ weight: 1, arbitrary: hostileValue }, { weight: 4, arbitrary: shaped })
}

const jobCount = () => (studio.db.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }).n

/** One call: never throws, answers ok or a refusal that is not `internal`; a refusal changes no job. */
async function callOnce(name: unknown, request: unknown): Promise<void> {
  const before = jobCount()
  const result = await dispatch(handlers, name, request)
  expect(result === null || typeof result !== 'object', 'a result object').toBe(false)
  if (!result.ok) {
    // A refusal has a code of its own (bad_request, not_found, ambiguous, not_finished, …): never internal.
    expect(result.error.code, `${String(name)}: ${result.error.code}: ${result.error.message}`).toMatch(/^(?!internal$)[a-z_]+$/)
    expect(typeof result.error.message).toBe('string')
    expect(result.error.message.length).toBeGreaterThan(0)
    expect(jobCount(), `${String(name)} refused, yet the job count changed`).toBe(before)
  }
}

const runs = (n: number) => (longTorture ? n * 10 : n)
const seedParams = () => {
  const seed = process.env.STUDIO_TORTURE_SEED
  return seed ? { seed: Number(seed) } : {}
}

describe('hostile calls through dispatch', () => {
  const fast = COMMAND_NAMES.filter((n) => !SLOW.includes(n))

  it('every fast command, random and hostile requests: a valid answer or a clear refusal, never internal, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...fast).chain((name) => fc.tuple(fc.constant(name), requestFor(name))), async ([name, request]) => {
        await callOnce(name, request)
      }),
      { numRuns: runs(2000), ...seedParams() }
    )
    expect(unhandled).toEqual([])
  })

  it('slow commands (a frame render, the tools check) with hostile requests', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SLOW).chain((name) => fc.tuple(fc.constant(name), requestFor(name))), async ([name, request]) => {
        await callOnce(name, request)
      }),
      { numRuns: runs(8), ...seedParams() }
    )
  })

  it('unknown command names, objects that cannot be turned into text included', async () => {
    // An object from the page whose toString is not a function made dispatch throw (String(name)).
    for (const name of [JSON.parse('{"toString":1,"valueOf":1}'), Object.create(null), [1], null, 5]) {
      expect(await dispatch(handlers, name, {})).toEqual({ ok: false, error: { code: 'unknown_command', message: expect.stringMatching(/not a command name/) } })
    }
    await fc.assert(
      fc.asyncProperty(hostileValue, async (name) => {
        const result = await dispatch(handlers, name, {})
        if (typeof name === 'string' && (COMMAND_NAMES as readonly string[]).includes(name)) return
        expect(result).toEqual({ ok: false, error: { code: 'unknown_command', message: expect.any(String) } })
      }),
      { numRuns: runs(100), ...seedParams() }
    )
  })

  it('priorities: NaN, negative, fractional, out of range → bad_request naming priority; the job keeps its priority', async () => {
    // A job of its own: the random calls above may have removed or finished any other.
    const own = studio.queue.enqueue({ type: 'text', input: { prompt: 'priorities' }, priority: 4 }).id
    await fc.assert(
      fc.asyncProperty(hostileNumbers, async (priority) => {
        if (Number.isInteger(priority) && priority >= 1 && priority <= 10) return
        const before = studio.queue.get(own)!.priority
        for (const [name, request] of [
          ['jobs/setPriority', { id: own, priority }],
          ['jobs/enqueue', { type: 'text', input: { prompt: 'x' }, priority }]
        ] as const) {
          const result = await dispatch(handlers, name, request)
          expect(result).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(/priority/) } })
        }
        expect(studio.queue.get(own)!.priority).toBe(before)
      }),
      { numRuns: runs(60), ...seedParams() }
    )
  })

  it('2 MB payloads are refused as too large, naming the input', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024)
    const before = jobCount()
    for (const [name, request] of [
      ['jobs/enqueue', { type: 'text', input: { prompt: big } }],
      ['jobs/enqueueMany', { jobs: [{ type: 'text', input: { prompt: big } }] }],
      ['jobs/enqueue', { type: 'text', input: Object.fromEntries([...Array(40_000)].map((_, i) => [`k${i}`, 'vvvvvvvvvvvvvvvvvvvvvvvvvvvvvv'])) }]
    ] as const) {
      const result = await dispatch(handlers, name, request)
      expect(result, name).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(/input.*(large|1 MB)/) } })
    }
    expect(jobCount()).toBe(before)
    // A 2 MB name or prompt elsewhere: refused, never stored.
    for (const [name, request] of [
      ['projects/create', { name: big }],
      ['jobs/retry', { id: ids[0], fromStep: big }],
      ['batch/configs/save', { name: big, config: {} }],
      ['settings/setApiKey', { kind: 'text', key: big }]
    ] as const) {
      const result = await dispatch(handlers, name, request)
      expect(result.ok, name).toBe(false)
      if (!result.ok) expect(result.error.code, name).toBe('bad_request')
    }
  })

  // Regression: JSON nested 5 000 levels deep answered "internal: Maximum call stack size exceeded".
  it('JSON nested 5 000+ levels deep is refused as bad_request, not internal', async () => {
    for (const depth of [5_000, 20_000]) {
      for (const [name, request] of [
        ['jobs/enqueue', { type: 'text', input: { prompt: 'x', deep: nested(depth) } }],
        ['batch/configs/save', { name: 'deep', config: { deep: nested(depth) } }],
        ['batch/create', { source: { kind: 'upload', name: 'a.csv', contentBase64: Buffer.from('idea\nx\n').toString('base64') }, config: { deep: nested(depth) } }]
      ] as const) {
        const result = await dispatch(handlers, name, request)
        expect(result, `${name} at depth ${depth}`).toEqual({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(/nested|deep/i) } })
      }
    }
  })

  // A BigInt in a job input (Electron IPC carries one) made the payload size check throw.
  it('a BigInt in a job input is refused as bad_request, not thrown', async () => {
    const result = await dispatch(handlers, 'jobs/enqueue', { type: 'text', input: { prompt: 'a haiku', n: 1n } })
    expect(result).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(/input/) } })
  })

  // Regression: Id prefixes are matched with LIKE before % and _ are treated as characters (fixed).
  it('an id made of LIKE wildcards matches no job', async () => {
    const dir = tempDir('studio-like-')
    const alone = openStudio({ dataDir: dir, concurrency: 1, env: {} })
    try {
      const only = alone.queue.enqueue({ type: 'text', input: { prompt: 'the only job' } })
      const h = studioHandlers(alone)
      await fc.assert(
        fc.asyncProperty(fc.stringMatching(/^[%_]{4,8}$/), async (id) => {
          for (const name of ['jobs/get', 'jobs/cancel', 'jobs/pause'] as const) {
            const result = await dispatch(h, name, { id })
            expect(result, `${name} ${id}`).toMatchObject({ ok: false, error: { code: 'not_found' } })
          }
          expect(alone.queue.get(only.id)!.status).toBe('pending')
        }),
        { numRuns: 20, ...seedParams() }
      )
    } finally {
      await alone.close(100)
    }
  })

  it('the database is intact after all of it', () => {
    expect(studio.db.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(studio.db.pragma('foreign_key_check')).toEqual([])
  })
})
