/**
 * fast-check generators of hostile values for the command API and the CLI: wrong types, NaN,
 * negative and fractional numbers, huge and deeply nested JSON, path traversal, SQL LIKE
 * wildcards, control and bidi characters, terminal escapes, 2 MB strings.
 */
import fc from 'fast-check'

/** Nested arrays `depth` levels deep, built without recursion (so the generator itself never overflows). */
export function nested(depth: number, leaf: unknown = 1): unknown {
  let v: unknown = leaf
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v }
  return v
}

export const hostileStrings: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '%',
    '%%%%',
    '____',
    'a%',
    '../../../../etc/passwd',
    '..\\..\\windows\\system32',
    '/etc/passwd',
    '/dev/zero',
    'file:///etc/passwd',
    'C:\\con\\aux',
    'nul',
    '\u0000',
    'a\u0000b',
    '\u001b[2J\u001b]0;pwned\u0007',
    '\u202eexe.txt',
    '\ud800',
    "'; DROP TABLE jobs; --",
    '__proto__',
    'constructor',
    'toString',
    '💥'.repeat(50),
    'x'.repeat(101),
    'x'.repeat(5000)
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 20 })
)

export const hostileNumbers: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, -1, -5, 0.5, 1.5, 10.000001, 11, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, Number.MIN_VALUE),
  fc.double(),
  fc.integer({ min: -1000, max: 1000 })
)

/** Any value at all, biased toward the hostile ones. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileStrings },
  { weight: 3, arbitrary: hostileNumbers },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, true, false, [], {}, [[]], { '': '' }) },
  { weight: 2, arbitrary: fc.anything({ maxDepth: 3, maxKeys: 4, withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true }) },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 400 }).map((d) => nested(d)) }
)
