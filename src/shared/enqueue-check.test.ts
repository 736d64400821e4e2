import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { quickEnqueueRequest } from './enqueue-check'
import { EnqueueRequest } from './schemas'

const anyValue = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer({ min: -5, max: 30 }), fc.double(), fc.string({ maxLength: 5 }), fc.boolean(), fc.constant('x'.repeat(301)))
const request = fc.record(
  {
    type: fc.oneof(fc.constantFrom('noop', '', 'x'.repeat(101)), anyValue),
    input: fc.oneof(fc.constant({ a: 1 }), fc.constant([]), fc.constant(null), fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 2 }))),
    priority: anyValue,
    projectId: fc.oneof(fc.constantFrom('p', ''), anyValue),
    title: anyValue,
    maxRetries: anyValue,
    batchId: anyValue,
    extra: anyValue
  },
  { requiredKeys: [] }
)

describe('the quick enqueue check', () => {
  it('accepts only what EnqueueRequest accepts, and parses it to the same values', () => {
    fc.assert(
      fc.property(request, (raw) => {
        const quick = quickEnqueueRequest(raw)
        if (quick === null) return
        const zod = EnqueueRequest.safeParse(raw)
        expect(zod.success).toBe(true)
        expect(quick).toEqual(zod.data)
      }),
      { numRuns: 3000 }
    )
  })

  it('takes the plain requests a bulk enqueue sends', () => {
    expect(quickEnqueueRequest({ type: 'noop', input: { i: 1 } })).toEqual({ type: 'noop', input: { i: 1 }, priority: 10, projectId: 'default', maxRetries: 3 })
    expect(quickEnqueueRequest({ type: 'noop', input: { i: 1 }, priority: 2, title: 'T', batchId: 'b' })).toMatchObject({ priority: 2, title: 'T', batchId: 'b' })
    // Anything else goes to zod, whose errors name the field.
    expect(quickEnqueueRequest({ type: 'noop', input: { i: 1n } })).toBeNull()
    expect(quickEnqueueRequest({ type: 'noop', input: { i: 1 }, priority: 0 })).toBeNull()
    expect(quickEnqueueRequest({ type: 'noop', input: { big: 'x'.repeat(400_000) } })).toBeNull()
    // Flat inputs are sized by a bound, never below their UTF-8 JSON: over the limit in bytes
    // only (2 bytes a character) still goes to zod; a large one under it is still taken.
    const accented = { type: 'noop', input: { big: 'é'.repeat(600_000) } }
    expect(EnqueueRequest.safeParse(accented).success).toBe(false)
    expect(quickEnqueueRequest(accented)).toBeNull()
    expect(quickEnqueueRequest({ type: 'noop', input: { big: 'x'.repeat(170_000), n: 1, ok: true, none: null } })?.input).toMatchObject({ n: 1, none: null })
  })
})
