/**
 * Text prepared for a speech engine: what is written for the eye is not always what should be
 * said. `adapt()` spells numbers, expands abbreviations, drops URLs and emoji and turns layout
 * (line breaks, dashes, brackets) into punctuation the engine pauses on. Pure and deterministic.
 */
import { cardinal, decimal, englishOrdinal, frenchOrdinal, type NumberLanguage } from './number-words'
import type { Language } from './types'

type Rule = readonly [RegExp, string | ((...groups: string[]) => string)]

const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"')\]]+/gi
// Pictographs plus the invisible pieces that glue emoji together (ZWJ, variation selectors, skin tones, keycaps, flags).
const EMOJI_PATTERN = /[\p{Extended_Pictographic}\u{1F1E6}-\u{1F1FF}\u{1F3FB}-\u{1F3FF}\u200D\uFE0E\uFE0F\u20E3]/gu

const ABBREVIATIONS: Record<NumberLanguage, readonly Rule[]> = {
  en: [
    [/\be\.\s?g\.(?=[\s,]|$)/gi, 'for example'],
    [/\bi\.\s?e\.(?=[\s,]|$)/gi, 'that is'],
    // "etc." ending a sentence keeps its full stop.
    [/\betc\.(?=\s+[A-Z]|\s*$)/g, 'et cetera.'],
    [/\betc\./gi, 'et cetera'],
    [/\bDr\.?(?=\s+[A-Z])/g, 'Doctor'],
    [/\bMrs\.?(?=\s+[A-Z])/g, 'Missus'],
    [/\bMr\.?(?=\s+[A-Z])/g, 'Mister'],
    [/\bMs\.?(?=\s+[A-Z])/g, 'Miz'],
    [/\bProf\.?(?=\s+[A-Z])/g, 'Professor'],
    [/\bvs\.?(?=\s)/gi, 'versus'],
    [/\bapprox\./gi, 'approximately'],
    [/\bno\.\s?(?=\d)/gi, 'number '],
    [/\s&\s/g, ' and ']
  ],
  fr: [
    [/\bp\.\s?ex\./gi, 'par exemple'],
    [/\bc\.-?à-?d\.?/gi, "c'est-à-dire"],
    [/\betc\.(?=\s+[A-ZÀ-Ý]|\s*$)/g, 'et cetera.'],
    [/\betc\./gi, 'et cetera'],
    [/\bMM\.(?=\s)/g, 'Messieurs'],
    [/\bM\.(?=\s+[A-ZÀ-Ý])/g, 'Monsieur'],
    [/\bMmes\b\.?/g, 'Mesdames'],
    [/\bMme\b\.?/g, 'Madame'],
    [/\bMlles\b\.?/g, 'Mesdemoiselles'],
    [/\bMlle\b\.?/g, 'Mademoiselle'],
    [/\bDr\b\.?/g, 'Docteur'],
    [/\bPr\b\.?(?=\s+[A-ZÀ-Ý])/g, 'Professeur'],
    [/\benv\.(?=\s)/gi, 'environ'],
    [/\bcf\.(?=\s)/gi, 'voir'],
    [/\bvs\.?(?=\s)/gi, 'contre'],
    [/\s?[nN][°º]\s?(?=\d)/g, ' numéro '],
    [/\s&\s/g, ' et ']
  ]
}

const CURRENCIES: Record<string, Record<NumberLanguage, readonly [string, string, string, string]>> = {
  // singular, plural, cent singular, cent plural
  $: { en: ['dollar', 'dollars', 'cent', 'cents'], fr: ['dollar', 'dollars', 'cent', 'cents'] },
  '€': { en: ['euro', 'euros', 'cent', 'cents'], fr: ['euro', 'euros', 'centime', 'centimes'] },
  '£': { en: ['pound', 'pounds', 'penny', 'pence'], fr: ['livre', 'livres', 'penny', 'pence'] }
}

const WORDS: Record<NumberLanguage, { percent: string; to: string; and: string; degrees: string; plus: string; hours: string; hour: string }> = {
  en: { percent: 'percent', to: 'to', and: 'and', degrees: 'degrees', plus: 'plus', hours: '', hour: '' },
  fr: { percent: 'pour cent', to: 'à', and: 'et', degrees: 'degrés', plus: 'plus', hours: 'heures', hour: 'heure' }
}

/** A number as written in `language`: "1,234.5" (en) or "1 234,5" (fr, with normal, no-break or narrow no-break spaces). */
function numberSource(language: NumberLanguage): string {
  return language === 'fr'
    ? String.raw`\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?|\d+(?:,\d+)?`
    : String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?`
}

/** Spell a number token as matched by numberSource ("-1 234,5" → "moins mille deux cent trente-quatre virgule cinq"). */
function spellNumber(token: string, language: NumberLanguage): string {
  const negative = token.startsWith('-')
  const body = token.replace(/^-/, '')
  const separator = language === 'fr' ? ',' : '.'
  const [integer = '0', fraction] = body.split(separator)
  const digits = integer.replace(/[,\s\u00a0\u202f]/g, '')
  if (fraction) return decimal(digits, fraction, language, negative)
  // Leading zeros ("007", a code or a phone number) are read digit by digit.
  if (digits.length > 1 && digits.startsWith('0')) return [...digits].map((d) => cardinal(Number(d), language)).join(' ')
  return cardinal(Number(digits) * (negative ? -1 : 1), language)
}

function spellMoney(token: string, symbol: string, language: NumberLanguage): string {
  const names = CURRENCIES[symbol]?.[language]
  if (!names) return spellNumber(token, language)
  const separator = language === 'fr' ? ',' : '.'
  const [integer = '0', fraction] = token.split(separator)
  const whole = Number(integer.replace(/[,\s\u00a0\u202f]/g, ''))
  // French keeps the singular below two ("zéro euro", "un euro").
  const unit = `${cardinal(whole, language)} ${whole === 1 || (language === 'fr' && whole === 0) ? names[0] : names[1]}`
  if (fraction === undefined || Number(fraction) === 0) return unit
  // "1.5 dollars": not an amount in cents, read as a decimal.
  if (fraction.length !== 2) return `${spellNumber(token, language)} ${names[1]}`
  const cents = Number(fraction)
  // "three dollars and five cents" / "trois euros cinquante".
  return language === 'fr' ? `${unit} ${cardinal(cents, language)}` : `${unit} and ${cardinal(cents, language)} ${cents === 1 ? names[2] : names[3]}`
}

function numberRules(language: NumberLanguage): Rule[] {
  const num = numberSource(language)
  const w = WORDS[language]
  const rules: Rule[] = [
    // Money: "$5", "€ 3.50", "5 €", "3,50 €".
    [new RegExp(String.raw`([$€£])\s?(${num})`, 'g'), (_m, symbol = '', value = '') => spellMoney(value, symbol, language)],
    [new RegExp(String.raw`(${num})\s?([$€£])`, 'g'), (_m, value = '', symbol = '') => spellMoney(value, symbol, language)],
    // Percentages.
    [new RegExp(String.raw`(-?(?:${num}))\s?%`, 'g'), (_m, value = '') => `${spellNumber(value, language)} ${w.percent}`]
  ]
  if (language === 'fr') {
    rules.push(
      [/\b(\d+)(?:er|re|ère)\b/g, (match, n = '') => frenchOrdinal(Number(n), !match.endsWith('er'))],
      [/\b(\d+)(?:e|ème|eme)\b/g, (_m, n = '') => frenchOrdinal(Number(n))],
      // Times: "10h30", "10 h", "9h05".
      [/\b(\d{1,2})\s?h\s?(\d{2})?\b/g, (_m, h = '', min) => `${cardinal(Number(h), 'fr')} ${Number(h) > 1 ? w.hours : w.hour}${min && Number(min) ? ` ${cardinal(Number(min), 'fr')}` : ''}`]
    )
  } else {
    rules.push(
      [/\b(\d+)(?:st|nd|rd|th)\b/gi, (_m, n = '') => englishOrdinal(Number(n))],
      // Times: "10:30" → "ten thirty", "9:05" → "nine oh five", "7:00" → "seven o'clock".
      [/\b(\d{1,2}):(\d{2})\b/g, (_m, h = '', min = '') => `${cardinal(Number(h), 'en')} ${Number(min) === 0 ? "o'clock" : Number(min) < 10 ? `oh ${cardinal(Number(min), 'en')}` : cardinal(Number(min), 'en')}`]
    )
  }
  rules.push(
    // Ranges: "3-5" → "three to five" (not dates or phone numbers: no third part).
    [new RegExp(String.raw`(?<![\d\-/.,])(\d+)\s?[-–]\s?(\d+)(?![\d\-/])`, 'g'), (_m, a = '', b = '') => `${spellNumber(a, language)} ${w.to} ${spellNumber(b, language)}`],
    // Any other number, with a minus sign only when it is not a hyphen between words.
    [new RegExp(String.raw`(?<![\w-])-?(?:${num})`, 'g'), (m) => spellNumber(m, language)],
    [/(\p{L}+)?(\d+)/gu, (_m, before = '', digits = '') => `${before}${before ? ' ' : ''}${spellNumber(digits, language)}`],
    [/\s?°\s?(?:C\b)?/g, ` ${w.degrees}`],
    [/\s\+\s/g, ` ${w.plus} `],
    [/%/g, ` ${w.percent}`]
  )
  return rules
}

const LAYOUT_RULES: readonly Rule[] = [
  [/[\u00a0\u202f\u2007]/g, ' '],
  [/\r\n?/g, '\n'],
  // Markdown and list decorations.
  [/^\s*(?:[-*•·▪►]|\d+[.)])\s+/gm, ''],
  [/[*_~`#]+(?=\S)|(?<=\S)[*_~`]+/g, ''],
  [/[«»“”„"]/g, ''],
  // A line without final punctuation still ends a sentence.
  [/([^.!?…:;,\s])[ \t]*\n+/g, '$1.\n'],
  [/\n+/g, ' '],
  [/…|\.{4,}/g, '...'],
  // Dashes, brackets, semicolons and colons (not in times like 10:30) become comma pauses.
  [/\s+[–—-]\s+|\s*—\s*/g, ', '],
  [/\s*[([{]\s*/g, ', '],
  [/\s*[)\]}]/g, ','],
  [/\s*;\s*/g, ', '],
  [/(?<!\d)\s*:\s*(?!\d)/g, ', ']
]

const CLEANUP_RULES: readonly Rule[] = [
  [/[ \t]+/g, ' '],
  [/\s+([,.!?])/g, '$1'],
  [/,(?:\s*,)+/g, ','],
  [/,\s*(\.\.\.|[.!?])/g, '$1'],
  [/([!?])\1+/g, '$1'],
  [/(?<!\.)\.\.(?!\.)/g, '.'],
  [/^[\s,.]+/, ''],
  [/([,.!?])(?=[^\s,.!?'’)])/g, '$1 ']
]

function apply(text: string, rules: readonly Rule[]): string {
  return rules.reduce(
    (out, [pattern, replacement]) => (typeof replacement === 'string' ? out.replace(pattern, replacement) : out.replace(pattern, replacement)),
    text
  )
}

/**
 * Make `text` ready to be spoken in `language` ('fr' rules for French, English rules otherwise).
 * Returns one line of plain text.
 */
export function adapt(text: string, language: Language = 'en'): string {
  const lang: NumberLanguage = language === 'fr' ? 'fr' : 'en'
  let out = text.replace(URL_PATTERN, '').replace(EMOJI_PATTERN, '')
  // Hashtags read as their words.
  out = out.replace(/(^|\s)#(\p{L}[\p{L}\p{N}_]*)/gu, '$1$2')
  out = apply(out, LAYOUT_RULES)
  out = apply(out, ABBREVIATIONS[lang])
  out = apply(out, numberRules(lang))
  out = apply(out, CLEANUP_RULES).trim()
  // Whatever remains after "https://…" or "😀" alone is nothing to say.
  if (!/[\p{L}\p{N}]/u.test(out)) return ''
  return out
}

/**
 * Split text into parts of at most `maxChars`, at sentence ends when possible, then at commas,
 * then at spaces (for APIs with an input limit). Joining the parts with spaces gives the text back.
 */
export function splitForSpeech(text: string, maxChars: number): string[] {
  const clean = text.replace(/\s+/g, ' ').trim()
  if (clean.length <= maxChars) return clean ? [clean] : []
  const parts: string[] = []
  let current = ''
  const push = (piece: string): void => {
    if (!current) current = piece
    else if (current.length + 1 + piece.length <= maxChars) current += ` ${piece}`
    else {
      parts.push(current)
      current = piece
    }
  }
  for (const sentence of clean.split(/(?<=[.!?…])\s+/)) {
    if (sentence.length <= maxChars) {
      push(sentence)
      continue
    }
    // A sentence that must be cut starts a new part, so the previous one still ends on a full stop.
    if (current) {
      parts.push(current)
      current = ''
    }
    for (const clause of sentence.split(/(?<=[,;:])\s+/)) {
      if (clause.length <= maxChars) {
        push(clause)
        continue
      }
      for (const word of clause.split(' ')) {
        for (let i = 0; i < word.length; i += maxChars) push(word.slice(i, i + maxChars))
      }
    }
  }
  if (current) parts.push(current)
  return parts
}
