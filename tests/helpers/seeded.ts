/**
 * Seeded randomness for torture tests: a failure prints its seed, and `STUDIO_TORTURE_SEED=<n>`
 * replays the same kills, reorders and cancellations.
 */
export interface Random {
  readonly seed: number
  /** [0, 1) */
  next(): number
  /** An integer in [min, max]. */
  int(min: number, max: number): number
  pick<T>(items: readonly T[]): T
  chance(p: number): boolean
}

export function seededRandom(seed: number): Random {
  // mulberry32: small, fast and good enough to spread kill moments.
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => next() < p
  }
}

/** The seed from STUDIO_TORTURE_SEED, else a fresh one; printed so that a failure can be replayed. */
export function tortureSeed(what: string): number {
  const fixed = process.env.STUDIO_TORTURE_SEED
  const seed = fixed !== undefined && fixed !== '' ? Number(fixed) >>> 0 : (Date.now() ^ (process.pid << 8)) >>> 0
  console.log(`${what}: seed ${seed} (replay with STUDIO_TORTURE_SEED=${seed})`)
  return seed
}

/** `STUDIO_TORTURE=long` runs the long versions (more kills, more runs). */
export const longTorture = process.env.STUDIO_TORTURE === 'long'
