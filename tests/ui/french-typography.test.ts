import { describe, expect, it } from 'vitest'
import { en } from '../../src/renderer/src/i18n/en'
import { fr } from '../../src/renderer/src/i18n/fr'
import { localizeLogLine } from '../../src/renderer/src/i18n/log-lines'
import { LOG_LINES, logText, type LogLineCode } from '../../src/shared/log-lines'

/**
 * Every French string the app can show, read as a French proofreader would: typography (a
 * non-breaking space before ; : ? ! and inside « »), elision ("de adapt"), agreement after one
 * ("1 échoués") and English words left over. English strings get no French quotes.
 */

const NBSP = '[\\u00a0\\u202f]'
/** Values that fill templates: names that start with a vowel, as step names do (adapt, audio, image). */
const VOWEL_VALUES: Record<string, string> = {
  step: 'adapt',
  resume: 'audio',
  next: 'image',
  kind: 'audio',
  provider: 'openai',
  title: 'Océans',
  error: 'erreur',
  reason: 'en panne'
}

function fill(text: string, n: number): string {
  return text.replace(/\{(\w+)\}/g, (_, name: string) => VOWEL_VALUES[name] ?? String(n))
}

/** Words that end in s in the singular too. */
const SINGULAR_IN_S = new Set(['fois', 'mois', 'pas', 'temps', 'jours', 'accès', 'succès', 'prix', 'plus', 'sans', 'dans', 'après', 'depuis', 'vers', 's', 'ms', 'Mois', 'Fois', 'sous'])

const ENGLISH_LEFTOVERS = [/\bworkers?\b/i, /\bjobs?\b/i, /\brows?\b/i, /\bidle\b/i, /\bfailed\b/i, /\bdone\b/i]

export function frenchProblems(text: string): string[] {
  const problems: string[] = []
  // ; ? ! and : used as punctuation (followed by a space, a quote or the end), not in 12:30 or a://b.
  for (const m of text.matchAll(/(.)([;:?!])(?=[\s\u00a0\u202f»)]|$)/g)) {
    if (!new RegExp(NBSP).test(m[1]!)) problems.push(`no non-breaking space before "${m[2]}" in …${text.slice(Math.max(0, m.index - 12), m.index + 3)}…`)
  }
  for (const m of text.matchAll(/«(.)/g)) if (!new RegExp(NBSP).test(m[1]!)) problems.push('no non-breaking space after «')
  for (const m of text.matchAll(/(.)»/g)) if (!new RegExp(NBSP).test(m[1]!)) problems.push('no non-breaking space before »')
  for (const m of text.matchAll(/(^|[\s(])(de|le|la|que|ne|se|je|me|te|jusque|lorsque|puisque) ([aeiouyàâéèêëîïôûœAEIOUYÀÂÉÈÊÎÔ])/g)) {
    problems.push(`no elision in "${m[2]} ${m[3]}…"`)
  }
  for (const m of text.matchAll(/(^|[^\d.,\u00a0\u202f ])1[\s\u00a0\u202f]+(\p{L}+)\b/gu)) {
    const word = m[2]!
    if (/(s|x)$/.test(word) && !SINGULAR_IN_S.has(word)) problems.push(`plural after one: "1 ${word}"`)
  }
  for (const re of ENGLISH_LEFTOVERS) if (re.test(text)) problems.push(`English word ${re} in "${text}"`)
  return problems
}

describe('French as a native reader expects it', () => {
  it('every French UI string, filled with values, has French typography, elision, agreement and no English leftovers', () => {
    const problems: string[] = []
    for (const [key, text] of Object.entries(fr)) {
      // Plural forms: "one" is read with 1 (and 0), "other" with 2; any other string with 1.
      const n = key.endsWith('.other') ? 2 : 1
      for (const p of frenchProblems(fill(text, n))) problems.push(`${key}: ${p}`)
    }
    expect(problems).toEqual([])
  })

  it('every French log line, filled with step names that start with a vowel, reads well', () => {
    const problems: string[] = []
    for (const code of Object.keys(LOG_LINES) as LogLineCode[]) {
      const params = Object.fromEntries([...LOG_LINES[code].matchAll(/\{(\w+)\}/g)].map((m) => [m[1]!, VOWEL_VALUES[m[1]!] ?? '1']))
      const line = localizeLogLine(logText(code, params), 'fr')
      for (const p of frenchProblems(line)) problems.push(`${code}: ${p} (${line})`)
    }
    expect(problems).toEqual([])
  })

  it('English strings use English quotes, never « »', () => {
    const bad = Object.entries(en).filter(([, text]) => /[«»]/.test(text)).map(([k]) => k)
    expect(bad).toEqual([])
  })

  it('the checks themselves catch what the issue saw', () => {
    expect(frenchProblems('1 échoués')).not.toEqual([])
    expect(frenchProblems('début de adapt')).not.toEqual([])
    expect(frenchProblems('Nom : x')).not.toEqual([])
    expect(frenchProblems('« notes »')).not.toEqual([])
    expect(frenchProblems('Nouveau job')).not.toEqual([])
    expect(frenchProblems('Nom\u00a0: «\u00a0notes\u00a0»')).toEqual([])
  })
})
