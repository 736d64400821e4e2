import { describe, expect, it } from 'vitest'
import { adapt } from '../providers/speech-text'
import { type Cue, DEFAULT_CUE_LAYOUT, buildCues, cuesFromText, cuesFromWords, splitSentences, spreadDurations, timeWrittenBySpoken, toUnits } from './cues'

const layout = { ...DEFAULT_CUE_LAYOUT, maxCharsPerLine: 30 }

function expectWellFormed(cues: Cue[], maxChars: number, maxLines: number) {
  for (const cue of cues) {
    const lines = cue.text.split('\n')
    expect(lines.length).toBeLessThanOrEqual(maxLines)
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(maxChars)
    expect(cue.end).toBeGreaterThan(cue.start)
  }
}

describe('chunking', () => {
  const script =
    "Aujourd'hui, nous allons découvrir comment les abeilles communiquent entre elles. " +
    'Elles dansent ! Cette danse indique la direction et la distance des fleurs les plus riches en nectar. ' +
    'Incroyable, non ?'

  it('keeps lines and cues within the limits and every word in order', () => {
    const cues = cuesFromText(script, 20, layout)
    expectWellFormed(cues, 30, 2)
    const words = cues.flatMap((c) => c.text.split(/\s+/))
    expect(words.join(' ')).toBe(script.trim())
  })

  it('starts a new cue at each sentence unless two short sentences fit on one line', () => {
    const cues = cuesFromText('Oui. Non. Peut-être que nous verrons cela demain matin.', 6, layout)
    expect(cues[0]!.text).toBe('Oui. Non.')
    expect(cues.some((c) => c.text.startsWith('Peut-être'))).toBe(true)
  })

  it('balances the two lines instead of leaving a single word on the second', () => {
    const [cue] = cuesFromText('Les abeilles communiquent en dansant devant la ruche', 4, layout)
    const [a, b] = cue!.text.split('\n')
    expect(Math.abs(a!.length - b!.length)).toBeLessThanOrEqual(12)
    // Ties go to a shorter top line (the usual subtitle shape).
    expect(a!.length).toBeLessThanOrEqual(b!.length + 8)
  })

  it('splits a long sentence into evenly sized cues', () => {
    const long = Array.from({ length: 40 }, (_, i) => `mot${i}`).join(' ') + '.'
    const cues = cuesFromText(long, 30, layout)
    const sizes = cues.map((c) => c.text.replace(/\n/g, ' ').length)
    expect(cues.length).toBeGreaterThan(1)
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(12)
    expectWellFormed(cues, 30, 2)
  })

  it('prefers splitting a sentence after a comma to splitting it mid-phrase', () => {
    const sentence = 'Les autres abeilles la suivent, sentent le pollen et partent à leur tour.'
    const cues = cuesFromText(sentence, 5, { ...layout, maxCharsPerLine: 37 })
    expect(cues.map((c) => c.text)).toEqual(['Les autres abeilles la suivent,', 'sentent le pollen et\npartent à leur tour.'])
  })

  it('keeps French spaced punctuation and guillemets glued to their word', () => {
    const units = toUnits('« Bonjour » , dit-il : vraiment ? Oui !'.split(' '))
    expect(units.map((u) => u.text)).toEqual(['« Bonjour » ,', 'dit-il :', 'vraiment ?', 'Oui !'])
    expect(units[2]!.endsSentence).toBe(true)
    const cues = cuesFromText('Il a dit « Bonjour » à tout le monde ! Puis il est parti très loin sans se retourner ?', 10, layout)
    for (const cue of cues) {
      for (const line of cue.text.split('\n')) {
        expect(line).not.toMatch(/^[!?:;»]/)
        expect(line).not.toMatch(/«$/)
      }
    }
  })

  it('lets a single word longer than a line overflow rather than break it', () => {
    const cues = cuesFromText('Voir https://example.com/un/lien/beaucoup/trop/long/pour/une/ligne maintenant.', 5, layout)
    expect(cues.map((c) => c.text).join(' ')).toContain('https://example.com/un/lien/beaucoup/trop/long/pour/une/ligne')
  })

  it('returns no cue for empty text or no audio', () => {
    expect(cuesFromText('   ', 10)).toEqual([])
    expect(cuesFromText('Bonjour.', 0)).toEqual([])
  })

  it('handles accents and emoji as single characters', () => {
    const cues = cuesFromText('Été 🌞 à Zürich, ça déménage ! 🎉🎉', 3, layout)
    expect(cues.map((c) => c.text).join(' ')).toBe('Été 🌞 à Zürich, ça déménage ! 🎉🎉')
  })
})

describe('proportional timing', () => {
  it('covers the audio exactly with contiguous cues proportional to their length', () => {
    const text = 'Court. Une phrase nettement plus longue que la première, vraiment.'
    const cues = cuesFromText(text, 10, layout)
    expect(cues[0]!.start).toBe(0)
    expect(cues[cues.length - 1]!.end).toBeCloseTo(10, 9)
    for (let k = 1; k < cues.length; k++) expect(cues[k]!.start).toBeCloseTo(cues[k - 1]!.end, 9)
    const first = cues[0]!.end - cues[0]!.start
    const second = cues[1]!.end - cues[1]!.start
    expect(second).toBeGreaterThan(first)
  })

  it('gives no cue less than the minimum when the audio allows it', () => {
    const spans = spreadDurations([1, 100, 1, 100], 10, 0.8)
    const durations = spans.map((s) => s.end - s.start)
    expect(Math.min(...durations)).toBeGreaterThanOrEqual(0.8 - 1e-9)
    expect(durations.reduce((a, b) => a + b, 0)).toBeCloseTo(10, 9)
    expect(durations[1]).toBeCloseTo(durations[3]!, 9)
  })

  it('falls back to plain proportions when the audio is too short for the minimum', () => {
    const spans = spreadDurations([1, 3], 1, 0.8)
    expect(spans[0]!.end - spans[0]!.start).toBeCloseTo(0.25, 9)
    expect(spans[1]!.end).toBe(1)
  })
})

describe('word timings', () => {
  const words = [
    { text: 'Bonjour', start: 0.1, end: 0.5 },
    { text: '!', start: 0.5, end: 0.55 },
    { text: 'Les', start: 1.0, end: 1.2 },
    { text: 'abeilles', start: 1.2, end: 1.7 },
    { text: 'dansent.', start: 1.75, end: 2.3 },
    { text: 'Vraiment.', start: 4.0, end: 4.2 }
  ]

  it('starts each cue on its first word and carries the words for karaoke', () => {
    const cues = cuesFromWords(words, { ...layout, maxCharsPerLine: 12 }, 5)
    expect(cues[0]!.start).toBeCloseTo(0.1)
    expect(cues[0]!.text).toBe('Bonjour !')
    expect(cues[0]!.words).toEqual([{ text: 'Bonjour !', start: 0.1, end: 0.55 }])
    const second = cues.find((c) => c.text.startsWith('Les'))!
    expect(second.start).toBeCloseTo(1.0)
    expect(second.words!.map((w) => w.text)).toEqual(['Les', 'abeilles', 'dansent.'])
  })

  it('bridges short gaps, and stretches short cues to the minimum without overlapping', () => {
    const cues = cuesFromWords(words, { ...layout, maxCharsPerLine: 12 }, 5)
    // 0.55 → 1.0 is a short pause: the first cue stays until the next one.
    expect(cues[0]!.end).toBeCloseTo(1.0)
    const last = cues[cues.length - 1]!
    expect(last.end - last.start).toBeGreaterThanOrEqual(0.8 - 1e-9)
    expect(last.end).toBeLessThanOrEqual(5)
    for (let k = 1; k < cues.length; k++) expect(cues[k]!.start).toBeGreaterThanOrEqual(cues[k - 1]!.end - 1e-9)
  })

  it('prefers word timings over proportional timing', () => {
    const cues = buildCues({ text: 'ignored', durationSec: 5, words })
    expect(cues[0]!.text.startsWith('Bonjour')).toBe(true)
    expect(cues[0]!.start).toBeCloseTo(0.1)
  })
})

describe('captions from the written script, timed by the spoken one', () => {
  const written = 'In 2024, 25% of U.S. adults baked bread.\nDr. Smith says it takes 3-5 days, e.g. in winter. Why? Because yeast is slow!'
  const spoken = adapt(written, 'en')
  const noSpaces = (s: string) => s.replace(/\s/g, '').length

  it('splits both into the same sentences, whatever adapt() did to numbers and abbreviations', () => {
    expect(splitSentences(written)).toEqual(['In 2024, 25% of U.S. adults baked bread.', 'Dr. Smith says it takes 3-5 days, e.g. in winter.', 'Why?', 'Because yeast is slow!'])
    expect(splitSentences(spoken)).toHaveLength(4)
    const fr = 'En 2024, 25 % des Français ont fait du pain. M. Dupont attend 3 h 30, etc. Pourquoi ? Parce que la levure est lente !'
    expect(splitSentences(adapt(fr, 'fr'))).toHaveLength(splitSentences(fr).length)
  })

  it('shows the written words, each sentence starting when it is said', () => {
    const words = timeWrittenBySpoken(written, spoken, 10)!
    expect(words.map((w) => w.text).join(' ')).toBe(written.replace(/\s+/g, ' '))
    // "In two thousand twenty-four, twenty-five percent…" takes longer to say than "In 2024, 25%…" to read.
    const [first, second] = splitSentences(spoken)
    const saidAt = (10 * noSpaces(first!)) / splitSentences(spoken).reduce((n, s) => n + noSpaces(s), 0)
    expect(words.find((w) => w.text === 'Dr.')!.start).toBeCloseTo(saidAt, 6)
    expect(second).toMatch(/^Doctor/)
    const cues = buildCues({ text: written, durationSec: 10, words })
    const shown = cues.map((c) => c.text).join(' ')
    expect(shown).toContain('25%')
    expect(shown).toContain('U.S.')
    expect(shown).not.toMatch(/twenty|percent|Doctor|U\. S\./)
    expect(cues[cues.length - 1]!.end).toBeCloseTo(10, 6)
  })

  it('follows the speech engine’s word timings when they match the spoken text', () => {
    const tokens = spoken.split(' ')
    const secondAt = tokens.indexOf('Doctor')
    // A long pause before the second sentence: the captions wait for it too.
    const timings = tokens.map((text, i) => ({ text, start: i * 0.3 + (i >= secondAt ? 2 : 0), end: i * 0.3 + 0.25 + (i >= secondAt ? 2 : 0) }))
    const words = timeWrittenBySpoken(written, spoken, 20, timings)!
    expect(words.find((w) => w.text === 'Dr.')!.start).toBeCloseTo(timings[secondAt]!.start, 6)
    expect(words.find((w) => w.text === 'Because')!.start).toBeCloseTo(timings[tokens.indexOf('Because')]!.start, 6)
  })

  it('does not end a cue on an initial or an abbreviation', () => {
    const cues = cuesFromText('In 2024, 25% of U.S. adults baked bread. Dr. Smith says it takes 3-5 days, e.g. in winter.', 10, layout)
    for (const cue of cues) expect(cue.text).not.toMatch(/(?:U\.S\.|Dr\.|e\.g\.)$/)
    expect(cues.map((c) => c.text.replace(/\n/g, ' '))).toContain('Dr. Smith says it takes 3-5 days, e.g. in winter.')
  })

  it('gives up (undefined) when the sentences do not correspond', () => {
    const withUrl = 'Great bread.\nhttps://example.com\nBake it today.'
    expect(timeWrittenBySpoken(withUrl, adapt(withUrl, 'en'), 5)).toBeUndefined()
  })
})
