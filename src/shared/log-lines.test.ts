import { describe, expect, it } from 'vitest'
import { LOG_LINES, logText, parseLogLine, type LogLineCode } from './log-lines'

/** Values as the engine fills them, some of them hostile: errors hold colons, brackets, semicolons. */
const SAMPLE: Record<string, string> = {
  priority: '3',
  resume: 'script',
  was: '10',
  direction: 'top',
  title: 'Les volcans (été 2026): partie 1',
  step: 'visuals',
  next: 'video',
  attempt: '2',
  max: '3',
  duration: '1.5 s',
  delay: '2 min 3 s',
  error: 'HTTP 503: upstream (gateway) failed; retry later: later',
  provider: 'openai-compatible',
  reason: 'circuit open (3 failures); next probe at 12:30',
  worker: 'host:1234:abcd1234',
  seconds: '29.8',
  count: '4',
  width: '1080',
  height: '1920',
  source: 'bundled',
  version: 'N-47683-g0e8eb07980-static',
  kind: 'image',
  track: '/data/jobs/x/01-generate.ab/music.wav',
  scene: '2',
  scenes: '6',
  name: 'reef (1).png',
  host: 'studio-mac',
  kept: '3'
}

describe('log lines', () => {
  it('every template is recognised from the line it writes, with its values intact', () => {
    for (const code of Object.keys(LOG_LINES) as LogLineCode[]) {
      const line = logText(code, SAMPLE)
      expect(line, code).not.toMatch(/\{\w+\}/)
      const parsed = parseLogLine(line)
      expect(parsed?.code, line).toBe(code)
      for (const [name, value] of Object.entries(parsed!.params)) expect(value, `${code}.${name}`).toBe(SAMPLE[name])
    }
  })

  it('leaves any other line alone', () => {
    expect(parseLogLine('my step says hello')).toBeNull()
    expect(parseLogLine('started')).toBeNull()
    expect(parseLogLine('')).toBeNull()
  })
})
