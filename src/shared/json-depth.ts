/** Deepest nesting a request may have: far beyond any real job input, far below a stack overflow. */
export const MAX_JSON_DEPTH = 200

/**
 * Where a JSON-like value nests deeper than `max` arrays and objects: the path of the top-level
 * field it happens under ("input", "" for the value itself), or null when it does not. The walk
 * keeps its own stack: recursion (zod, JSON.stringify) is what overflowed on 5 000 levels.
 */
export function tooDeeplyNested(value: unknown, max = MAX_JSON_DEPTH): string | null {
  const stack: { value: unknown; depth: number; field: string }[] = [{ value, depth: 0, field: '' }]
  while (stack.length) {
    const { value: v, depth, field } = stack.pop()!
    if (v === null || typeof v !== 'object') continue
    if (depth + 1 > max) return field
    // Array.from, not map: a sparse array ([,]) has holes map would keep.
    const entries = Array.isArray(v) ? Array.from(v, (x, i) => [String(i), x] as const) : Object.entries(v)
    for (const [key, child] of entries) {
      stack.push({ value: child, depth: depth + 1, field: depth === 0 ? (Array.isArray(v) ? `[${key}]` : key) : field })
    }
  }
  return null
}

/** The error a too deeply nested value gets, naming its field. */
export function tooDeepMessage(field: string, what = 'request'): string {
  return `${field || what} is nested more than ${MAX_JSON_DEPTH} levels deep (too deeply nested)`
}
