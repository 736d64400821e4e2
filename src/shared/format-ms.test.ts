import { describe, expect, it } from 'vitest'
import { formatMs } from './format-ms'

describe('formatMs', () => {
  it('writes milliseconds, tenths of seconds and minutes', () => {
    expect(formatMs(0)).toBe('0 ms')
    expect(formatMs(-5)).toBe('0 ms')
    expect(formatMs(NaN)).toBe('0 ms')
    expect(formatMs(999.4)).toBe('999 ms')
    expect(formatMs(1_000)).toBe('1 s')
    expect(formatMs(1_500)).toBe('1.5 s')
    expect(formatMs(2_000)).toBe('2 s')
    expect(formatMs(59_940)).toBe('59.9 s')
    // Rounding never writes "60.0 s" nor "1 min 60 s".
    expect(formatMs(59_960)).toBe('1 min 0 s')
    expect(formatMs(119_600)).toBe('2 min 0 s')
    expect(formatMs(123_000)).toBe('2 min 3 s')
  })
})
