/**
 * Numbers spelled out for text-to-speech, in English and French. Engines read "42" fine but
 * stumble on "1,500", "3.5%" or "1er"; spelling numbers ourselves makes every engine say the same
 * thing and keeps subtitles and narration in step.
 */

const EN_UNITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen']
const EN_TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety']
const EN_SCALES: readonly [number, string][] = [[1e12, 'trillion'], [1e9, 'billion'], [1e6, 'million'], [1e3, 'thousand']]

const FR_UNITS = ['zéro', 'un', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf', 'dix', 'onze', 'douze', 'treize', 'quatorze', 'quinze', 'seize', 'dix-sept', 'dix-huit', 'dix-neuf']
const FR_TENS = ['', '', 'vingt', 'trente', 'quarante', 'cinquante', 'soixante']

/** Largest integer we spell; beyond that, digits are read one by one. */
const MAX_SPELLED = 1e15 - 1

function englishBelowThousand(n: number): string {
  const hundreds = Math.floor(n / 100)
  const rest = n % 100
  const parts: string[] = []
  if (hundreds) parts.push(`${EN_UNITS[hundreds]} hundred`)
  if (rest) parts.push(rest < 20 ? (EN_UNITS[rest] as string) : `${EN_TENS[Math.floor(rest / 10)]}${rest % 10 ? `-${EN_UNITS[rest % 10]}` : ''}`)
  return parts.join(' ')
}

export function englishCardinal(n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`not an integer: ${n}`)
  if (n < 0) return `minus ${englishCardinal(-n)}`
  if (n < 20) return EN_UNITS[n] as string
  if (n > MAX_SPELLED) return digitByDigit(String(n), EN_UNITS)
  const parts: string[] = []
  let rest = n
  for (const [value, name] of EN_SCALES) {
    if (rest >= value) {
      parts.push(`${englishBelowThousand(Math.floor(rest / value))} ${name}`)
      rest %= value
    }
  }
  if (rest) parts.push(englishBelowThousand(rest))
  return parts.join(' ')
}

/** French 0–99, traditional spelling: "vingt et un", "soixante et onze", "quatre-vingts", "quatre-vingt-onze". */
function frenchBelowHundred(n: number): string {
  if (n < 20) return FR_UNITS[n] as string
  const tens = Math.floor(n / 10)
  const unit = n % 10
  if (tens === 7 || tens === 9) {
    // 70–79 = soixante + 10–19, 90–99 = quatre-vingt + 10–19.
    const base = tens === 7 ? 'soixante' : 'quatre-vingt'
    const teen = FR_UNITS[10 + unit] as string
    return tens === 7 && unit === 1 ? 'soixante et onze' : `${base}-${teen}`
  }
  if (tens === 8) return unit === 0 ? 'quatre-vingts' : `quatre-vingt-${FR_UNITS[unit]}`
  const ten = FR_TENS[tens] as string
  if (unit === 0) return ten
  if (unit === 1) return `${ten} et un`
  return `${ten}-${FR_UNITS[unit]}`
}

function frenchBelowThousand(n: number, followedByScale: boolean): string {
  const hundreds = Math.floor(n / 100)
  const rest = n % 100
  const parts: string[] = []
  if (hundreds) {
    // "cents" takes an s only when it ends the number: "deux cents", "deux cent un", "deux cent mille".
    const cent = hundreds > 1 && rest === 0 && !followedByScale ? 'cents' : 'cent'
    parts.push(hundreds === 1 ? 'cent' : `${FR_UNITS[hundreds]} ${cent}`)
  }
  if (rest) {
    const words = frenchBelowHundred(rest)
    // "quatre-vingts" loses its s before "mille": "quatre-vingt mille".
    parts.push(followedByScale && words === 'quatre-vingts' ? 'quatre-vingt' : words)
  }
  return parts.join(' ')
}

export function frenchCardinal(n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`not an integer: ${n}`)
  if (n < 0) return `moins ${frenchCardinal(-n)}`
  if (n < 20) return FR_UNITS[n] as string
  if (n > MAX_SPELLED) return digitByDigit(String(n), FR_UNITS)
  const parts: string[] = []
  let rest = n
  for (const [value, singular, plural] of [[1e12, 'billion', 'billions'], [1e9, 'milliard', 'milliards'], [1e6, 'million', 'millions']] as const) {
    if (rest >= value) {
      const count = Math.floor(rest / value)
      parts.push(`${frenchBelowThousand(count, false)} ${count > 1 ? plural : singular}`)
      rest %= value
    }
  }
  if (rest >= 1000) {
    const thousands = Math.floor(rest / 1000)
    // "mille" is invariable and never preceded by "un".
    parts.push(thousands === 1 ? 'mille' : `${frenchBelowThousand(thousands, true)} mille`)
    rest %= 1000
  }
  if (rest) parts.push(frenchBelowThousand(rest, false))
  return parts.join(' ')
}

const EN_ORDINAL_IRREGULAR: Record<string, string> = { one: 'first', two: 'second', three: 'third', five: 'fifth', eight: 'eighth', nine: 'ninth', twelve: 'twelfth' }

export function englishOrdinal(n: number): string {
  const words = englishCardinal(n)
  return words.replace(/([a-z]+)$/, (last) => EN_ORDINAL_IRREGULAR[last] ?? (last.endsWith('y') ? `${last.slice(0, -1)}ieth` : `${last}th`))
}

/** "premier/première" for 1, otherwise cardinal + "ième" with the usual spelling changes. */
export function frenchOrdinal(n: number, feminine = false): string {
  if (n === 1) return feminine ? 'première' : 'premier'
  const words = frenchCardinal(n)
  return words.replace(/([a-zéè]+)$/, (last) => {
    if (last === 'un') return 'unième'
    if (last === 'cinq') return 'cinquième'
    if (last === 'neuf') return 'neuvième'
    const stem = last.endsWith('s') && (last === 'cents' || last === 'vingts') ? last.slice(0, -1) : last
    return `${stem.endsWith('e') ? stem.slice(0, -1) : stem}ième`
  })
}

function digitByDigit(digits: string, units: readonly string[]): string {
  return [...digits].map((d) => units[Number(d)]).join(' ')
}

export type NumberLanguage = 'en' | 'fr'

export function cardinal(n: number, language: NumberLanguage): string {
  return language === 'fr' ? frenchCardinal(n) : englishCardinal(n)
}

/**
 * A decimal read aloud. English reads the digits after the point one by one ("three point one
 * four"); French reads them as a number ("trois virgule quatorze"), keeping leading zeros
 * ("zéro virgule zéro cinq").
 */
export function decimal(integerPart: string, fraction: string, language: NumberLanguage, negative = false): string {
  const whole = cardinal(Number(integerPart), language)
  const units = language === 'fr' ? FR_UNITS : EN_UNITS
  let after: string
  if (language === 'fr') {
    const zeros = fraction.match(/^0*/)?.[0].length ?? 0
    const restDigits = fraction.slice(zeros)
    after = [...Array(zeros).fill('zéro'), ...(restDigits ? [restDigits.length > 3 ? digitByDigit(restDigits, units) : frenchCardinal(Number(restDigits))] : [])].join(' ')
  } else {
    after = digitByDigit(fraction, units)
  }
  const sign = negative ? (language === 'fr' ? 'moins ' : 'minus ') : ''
  return `${sign}${whole} ${language === 'fr' ? 'virgule' : 'point'} ${after}`
}
