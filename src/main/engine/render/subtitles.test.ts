import { describe, expect, it } from 'vitest'
import {
  DEFAULT_SUBTITLE_STYLE,
  SubtitleStyle,
  assColor,
  assTime,
  cueLayoutFor,
  escapeAssText,
  karaokeText,
  srtTime,
  toAss,
  toSrt
} from './subtitles'

const styleLine = (ass: string) => ass.split('\n').find((l) => l.startsWith('Style: '))!.slice(7).split(',')
const dialogues = (ass: string) => ass.split('\n').filter((l) => l.startsWith('Dialogue: '))

describe('SubtitleStyle', () => {
  it('defaults to seed 2: white, 50 px, black stroke 2, 120 from the bottom, 60 on the sides', () => {
    expect(DEFAULT_SUBTITLE_STYLE).toMatchObject({
      fonts: ['DejaVu Sans', 'Liberation Sans', 'Noto Sans'],
      fontSize: 50,
      color: '#FFFFFF',
      strokeColor: '#000000',
      strokeWidth: 2,
      bottomOffset: 120,
      margin: 60,
      referenceWidth: 1080
    })
  })

  it('rejects a malformed colour', () => {
    expect(SubtitleStyle.safeParse({ color: 'white' }).success).toBe(false)
  })
})

describe('escapeAssText', () => {
  it('escapes override braces so text cannot inject tags', () => {
    expect(escapeAssText('a {\\b1} b')).toBe('a \\{\\\u2060b1\\} b')
  })

  it('neutralises backslashes with a word joiner so "\\N" in text stays literal', () => {
    expect(escapeAssText('C:\\New')).toBe('C:\\\u2060New')
  })

  it('turns every newline form into \\N', () => {
    expect(escapeAssText('un\r\ndeux\rtrois\nquatre')).toBe('un\\Ndeux\\Ntrois\\Nquatre')
  })

  it('leaves accents and emoji untouched', () => {
    expect(escapeAssText('Ça déménage 🎉')).toBe('Ça déménage 🎉')
  })
})

describe('toAss', () => {
  const cues = [
    { start: 0, end: 1.5, text: 'Première ligne\nseconde {ligne}' },
    { start: 1.5, end: 59.999, text: 'Fin' },
    { start: 3, end: 3, text: 'vide' }
  ]

  it('uses the video size as PlayRes and the seed style scaled to the width', () => {
    const ass = toAss(cues, DEFAULT_SUBTITLE_STYLE, { width: 540, height: 960 })
    expect(ass).toContain('PlayResX: 540\nPlayResY: 960')
    const [name, font, size, primary, , outlineColour, , bold] = styleLine(ass)
    expect([name, font, size, primary, outlineColour, bold]).toEqual(['Default', 'DejaVu Sans', '25', '&H00FFFFFF', '&H00000000', '-1'])
    const fields = styleLine(ass)
    expect(fields.slice(16, 22)).toEqual(['1', '0', '2', '30', '30', '60']) // outline, shadow, alignment, margins
  })

  it('keeps the reference values at 1080 px and scales landscape by width or short side', () => {
    expect(styleLine(toAss([], DEFAULT_SUBTITLE_STYLE, { width: 1080, height: 1920 }))[2]).toBe('50')
    const wide = styleLine(toAss([], { ...DEFAULT_SUBTITLE_STYLE, scaleBy: 'width' }, { width: 1920, height: 1080 }))
    expect(Number(wide[2])).toBeCloseTo(88.89, 1)
    const short = styleLine(toAss([], DEFAULT_SUBTITLE_STYLE, { width: 1920, height: 1080 }))
    expect(short[2]).toBe('50')
  })

  it('writes escaped dialogue lines with centisecond times and skips empty cues', () => {
    const lines = dialogues(toAss(cues, DEFAULT_SUBTITLE_STYLE, { width: 1080, height: 1920 }))
    expect(lines).toEqual([
      'Dialogue: 0,0:00:00.00,0:00:01.50,Default,,0,0,0,,Première ligne\\Nseconde \\{ligne\\}',
      'Dialogue: 0,0:00:01.50,0:01:00.00,Default,,0,0,0,,Fin'
    ])
  })

  it('uses the resolved font and strips commas that would break the style line', () => {
    const ass = toAss(cues, DEFAULT_SUBTITLE_STYLE, { width: 1080, height: 1920, fontName: 'Liberation, Sans' })
    expect(styleLine(ass)[1]).toBe('Liberation  Sans')
    expect(styleLine(ass)).toHaveLength(23)
  })

  it('in karaoke mode, highlights with PrimaryColour over the base SecondaryColour', () => {
    const ass = toAss(cues, DEFAULT_SUBTITLE_STYLE, { width: 1080, height: 1920, karaoke: true })
    const fields = styleLine(ass)
    expect(fields[3]).toBe(assColor(DEFAULT_SUBTITLE_STYLE.highlightColor))
    expect(fields[4]).toBe('&H00FFFFFF')
    expect(dialogues(ass)[0]).toContain('{\\k')
  })
})

describe('karaokeText', () => {
  const sum = (text: string) => [...text.matchAll(/\\k(\d+)/g)].reduce((s, m) => s + Number(m[1]), 0)

  it('spreads the cue over its words when there are no timings, without drift', () => {
    const text = karaokeText({ start: 1, end: 4.33, text: 'Les abeilles\ndansent bien' })
    expect(sum(text)).toBe(333)
    expect(text).toContain('\\N')
    expect(text.startsWith('{\\k')).toBe(true)
  })

  it('uses word timings, with a lead-in before the first word', () => {
    const text = karaokeText({
      start: 0,
      end: 2,
      text: 'Bonjour ! Les {amis}',
      words: [
        { text: 'Bonjour !', start: 0.2, end: 0.6 },
        { text: 'Les', start: 0.8, end: 1.0 },
        { text: '{amis}', start: 1.1, end: 1.9 }
      ]
    })
    expect(text).toBe('{\\k20}{\\k60}Bonjour ! {\\k30}Les {\\k80}\\{amis\\}')
  })
})

describe('toSrt', () => {
  it('numbers cues, uses comma milliseconds and drops empty lines inside a cue', () => {
    const srt = toSrt([
      { start: 0, end: 1.2345, text: 'Été 🌞\n\nà Zürich' },
      { start: 3661.5, end: 3662, text: 'Fin {ok}' }
    ])
    expect(srt).toBe('1\n00:00:00,000 --> 00:00:01,235\nÉté 🌞\nà Zürich\n\n2\n01:01:01,500 --> 01:01:02,000\nFin {ok}\n')
  })
})

describe('time formats', () => {
  it('rounds without producing 60 seconds', () => {
    expect(assTime(59.999)).toBe('0:01:00.00')
    expect(assTime(3723.456)).toBe('1:02:03.46')
    expect(srtTime(0.0004)).toBe('00:00:00,000')
  })
})

describe('cueLayoutFor', () => {
  it('caps characters per line by what fits between the margins', () => {
    const portrait = cueLayoutFor(DEFAULT_SUBTITLE_STYLE, { width: 1080, height: 1920 }, 0.859)
    expect(portrait.maxCharsPerLine).toBeLessThan(42)
    expect(portrait.maxCharsPerLine).toBeGreaterThanOrEqual(34)
    // Same proportions at any width when scaling by width.
    expect(cueLayoutFor(DEFAULT_SUBTITLE_STYLE, { width: 540, height: 960 }, 0.859)).toEqual(portrait)
    // A narrow font may use the full 42.
    expect(cueLayoutFor({ ...DEFAULT_SUBTITLE_STYLE, fontSize: 30 }, { width: 1080, height: 1920 }).maxCharsPerLine).toBe(42)
  })
})
