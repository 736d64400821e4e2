import { randomBytes } from 'node:crypto'

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'))

const hex32 = (x: number) => HEX[x >>> 24]! + HEX[(x >>> 16) & 255]! + HEX[(x >>> 8) & 255]! + HEX[x & 255]!

/**
 * A bijection of 32-bit numbers that looks random (lowbias32, each step reversible): consecutive
 * job numbers get short ids that differ in every character, and no two numbers share one.
 */
export function scramble32(n: number): number {
  let x = n >>> 0
  x ^= x >>> 16
  x = Math.imul(x, 0x7feb352d)
  x ^= x >>> 15
  x = Math.imul(x, 0x846ca68b)
  x ^= x >>> 16
  return x >>> 0
}

/**
 * Ids for the jobs of one enqueue, time-ordered in the UUID layout (version 7, variant 10):
 *
 *     tttttttt-tttt-7ccc-vccc-ccccssssssss
 *
 * t: the enqueue's time in ms (48 bits), the same for the whole call; c: a 42-bit counter that
 * starts at a random value per call and counts the call's jobs, so that its ids ascend and are
 * appended to the id index side by side (random UUIDs cost one out-of-order b-tree insert per
 * job: at 100 000 jobs, most of a bulk enqueue's time); v: the variant (8 to b); s: the job's
 * number scrambled (scramble32), which is the short id (shared/job-id.ts): distinct for every job
 * of the database, however many are queued at once. Two calls in the same millisecond differ by
 * their random counters, and by their job numbers.
 */
export class JobIds {
  private readonly time: string
  private high: number
  private low: number
  /** The id's first 24 characters, for the counter's upper bits `upper`. */
  private head = ''
  private upper = -1

  constructor(now: number) {
    const t = Math.max(0, Math.floor(now))
    const th = Math.floor(t / 0x10000) >>> 0 // top 32 of the 48 bits
    this.time = `${hex32(th)}-${HEX[(t >>> 8) & 255]!}${HEX[t & 255]!}-7`
    const r = randomBytes(6)
    // 42 bits: the top 25 in `high` (a clear top bit leaves room to count), the low 17 in `low`.
    this.high = ((r[0]! << 16) | (r[1]! << 8) | r[2]!) >>> 1 // 23 bits: far from overflowing
    this.low = ((r[3]! << 16) | (r[4]! << 8) | r[5]!) & 0x1ffff
  }

  /** The next id, for the job numbered `seq`. */
  next(seq: number): string {
    if (++this.low === 0x20000) {
      this.low = 0
      this.high++
    }
    // Counter bits 41..30 → 'ccc' after the version; 29..16 → after the variant; 15..0 → 4 chars.
    // All but the last 12 characters change once in 65 536 jobs: made then, not per job.
    const upper = this.high * 2 + (this.low >>> 16)
    if (upper !== this.upper) {
      this.upper = upper
      const c1 = this.high >>> 13 // 12 bits (counter 41..30: high holds 41..17, low 16..0)
      const c2 = ((this.high & 0x1fff) << 1) | (this.low >>> 16) // 14 bits (29..16)
      this.head = `${this.time}${HEX3[c1]!}-${HEX[0x80 | (c2 >>> 8)]!}${HEX[c2 & 255]!}-`
    }
    const c3 = this.low & 0xffff // 16 bits (15..0)
    return this.head + HEX[c3 >>> 8]! + HEX[c3 & 255]! + hex32(scramble32(seq))
  }
}

const HEX3 = Array.from({ length: 4096 }, (_, n) => n.toString(16).padStart(3, '0'))
