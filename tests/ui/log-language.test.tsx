// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { logText } from '../../src/shared/log-lines'
import type { LogLine } from '../../src/shared/types'
import { LogView } from '../../src/renderer/src/components/tracker/LogView'
import { localizeLogLine } from '../../src/renderer/src/i18n/log-lines'
import { getStudio } from '../../src/renderer/src/store'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

const line = (id: number, message: string, level: LogLine['level'] = 'info'): LogLine => ({ id, jobId: 'j1', ts: 1_700_000_000_000 + id, level, step: 'audio', message })

/** The engine stores its log in English; a French user reads it in French. */
describe('the job log in the user’s language', () => {
  const lines = [
    line(1, logText('started', { step: 'audio', attempt: 1, max: 3 })),
    line(2, 'narration by mespeak: 29.3 s'), // as an earlier release wrote it
    line(3, logText('willRetry', { step: 'audio', delay: '1.5 s', error: 'HTTP 503: busy' }), 'warn'),
    line(4, 'a line a step wrote in its own words')
  ]

  it('shows the engine’s lines in French, values kept, and other lines as written', () => {
    getStudio().setLocale('fr')
    render(<LogView lines={lines} />)
    const shown = screen.getAllByTestId('log-line').map((l) => l.querySelector('.log-msg')!.textContent)
    expect(shown).toEqual([
      'début de l’étape audio (essai 1/3)',
      'narration par mespeak\u00a0: 29,3 s',
      'échec de l’étape audio, nouvel essai dans 1,5 s\u00a0: HTTP 503: busy',
      'a line a step wrote in its own words'
    ])
    // The engine's words stay at hand (support, bug reports).
    expect(screen.getAllByTestId('log-line')[0]!.querySelector('.log-msg')!.getAttribute('title')).toBe('started audio (attempt 1/3)')
  })

  it('finds a line by its French words or by the engine’s', () => {
    getStudio().setLocale('fr')
    render(<LogView lines={lines} />)
    const search = screen.getByRole('searchbox')
    fireEvent.change(search, { target: { value: 'nouvel essai' } })
    expect(screen.getAllByTestId('log-line')).toHaveLength(1)
    fireEvent.change(search, { target: { value: 'will retry' } })
    expect(screen.getAllByTestId('log-line')).toHaveLength(1)
  })

  it('in English, every line is the engine’s own', () => {
    for (const l of lines) expect(localizeLogLine(l.message, 'en')).toBe(l.message)
  })

  it('renders a line from the code and values the engine sends, never parsing its words', () => {
    // As the engine sends the lines an earlier release stored in English (tests/engine/log-codes.test.ts).
    const upgraded: LogLine[] = [
      { ...line(5, 'started a (attempt 1/3)'), code: 'started', params: { step: 'a', attempt: '1', max: '3' } },
      { ...line(6, 'b failed, will retry in 1.5 s: HTTP 503: busy', 'warn'), code: 'willRetry', params: { step: 'b', delay: '1.5 s', error: 'HTTP 503: busy' } }
    ]
    expect(upgraded.map((l) => localizeLogLine(l, 'fr'))).toEqual([
      'début de l’étape a (essai 1/3)',
      'échec de l’étape b, nouvel essai dans 1,5 s\u00a0: HTTP 503: busy'
    ])
    // A new line: its code and values only (the message is what the engine rendered for the CLI).
    const fresh: LogLine = { ...line(7, ''), code: 'prioritySet', params: { priority: 2 } }
    expect(localizeLogLine(fresh, 'fr')).toBe('priorité réglée à 2')
    expect(localizeLogLine(fresh, 'en')).toBe('priority set to 2')
    // Free text the engine sent as such is shown as written, even in a template's words.
    const free: LogLine = { ...line(8, 'priority set to 3'), code: null, params: null }
    expect(localizeLogLine(free, 'fr')).toBe('priority set to 3')
  })
})
