import { describe, expect, it } from 'vitest'
import { englishCardinal, englishOrdinal, frenchCardinal, frenchOrdinal } from '../../src/main/engine/providers/number-words'
import { adapt, splitForSpeech } from '../../src/main/engine/providers/speech-text'

describe('number words', () => {
  it('English cardinals and ordinals', () => {
    const cases: [number, string][] = [
      [0, 'zero'], [7, 'seven'], [13, 'thirteen'], [42, 'forty-two'], [100, 'one hundred'], [105, 'one hundred five'],
      [999, 'nine hundred ninety-nine'], [1000, 'one thousand'], [1250, 'one thousand two hundred fifty'],
      [1_000_000, 'one million'], [2_000_300_001, 'two billion three hundred thousand one'], [-5, 'minus five']
    ]
    for (const [n, words] of cases) expect(englishCardinal(n)).toBe(words)
    expect([1, 2, 3, 4, 5, 8, 9, 12, 20, 21, 42, 100].map(englishOrdinal)).toEqual([
      'first', 'second', 'third', 'fourth', 'fifth', 'eighth', 'ninth', 'twelfth', 'twentieth', 'twenty-first', 'forty-second', 'one hundredth'
    ])
  })

  it('French cardinals with the traditional rules', () => {
    const cases: [number, string][] = [
      [0, 'zéro'], [17, 'dix-sept'], [21, 'vingt et un'], [22, 'vingt-deux'], [42, 'quarante-deux'], [70, 'soixante-dix'],
      [71, 'soixante et onze'], [77, 'soixante-dix-sept'], [80, 'quatre-vingts'], [81, 'quatre-vingt-un'], [91, 'quatre-vingt-onze'],
      [99, 'quatre-vingt-dix-neuf'], [100, 'cent'], [101, 'cent un'], [200, 'deux cents'], [201, 'deux cent un'], [1000, 'mille'],
      [2000, 'deux mille'], [80_000, 'quatre-vingt mille'], [200_000, 'deux cent mille'], [1_000_000, 'un million'],
      [2_500_000, 'deux millions cinq cent mille'], [-3, 'moins trois']
    ]
    for (const [n, words] of cases) expect(frenchCardinal(n)).toBe(words)
    expect(frenchOrdinal(1)).toBe('premier')
    expect(frenchOrdinal(1, true)).toBe('première')
    expect([2, 4, 5, 9, 11, 21, 80, 100].map((n) => frenchOrdinal(n))).toEqual([
      'deuxième', 'quatrième', 'cinquième', 'neuvième', 'onzième', 'vingt et unième', 'quatre-vingtième', 'centième'
    ])
  })
})

describe('adapt (text for speech)', () => {
  it('spells numbers', () => {
    expect(adapt('We tested 42 ideas.', 'en')).toBe('We tested forty-two ideas.')
    expect(adapt('Nous avons testé 42 idées.', 'fr')).toBe('Nous avons testé quarante-deux idées.')
    expect(adapt('1,500 users, 3.14 and -7.', 'en')).toBe('one thousand five hundred users, three point one four and minus seven.')
    expect(adapt('1 500 utilisateurs, 3,14 et -7.', 'fr')).toBe('mille cinq cents utilisateurs, trois virgule quatorze et moins sept.')
    expect(adapt('the 21st floor, 3-5 people, at 10:30', 'en')).toBe('the twenty-first floor, three to five people, at ten thirty')
    expect(adapt('le 1er étage, le 21e siècle, à 10h30', 'fr')).toBe('le premier étage, le vingt et unième siècle, à dix heures trente')
  })

  it('reads percentages and money', () => {
    expect(adapt('Up 15% to $1,250.50 or €3', 'en')).toBe('Up fifteen percent to one thousand two hundred fifty dollars and fifty cents or three euros')
    expect(adapt('En hausse de 3,5 % à 12,50 € ou 1 €', 'fr')).toBe('En hausse de trois virgule cinq pour cent à douze euros cinquante ou un euro')
  })

  it('expands common abbreviations', () => {
    expect(adapt('Fruit, e.g. apples, pears, etc. Dr. Smith and Mr. Jones agree.', 'en')).toBe(
      'Fruit, for example apples, pears, et cetera. Doctor Smith and Mister Jones agree.'
    )
    expect(adapt('M. Dupont, Mme Durand et le Dr Martin, p. ex. des fruits, etc.', 'fr')).toBe(
      'Monsieur Dupont, Madame Durand et le Docteur Martin, par exemple des fruits, et cetera.'
    )
    expect(adapt('Rock & roll', 'en')).toBe('Rock and roll')
  })

  it('strips URLs and emoji, keeps hashtag words', () => {
    expect(adapt('Read more at https://example.com/a?b=1 🚀🔥 now! #Compost 👍🏽', 'en')).toBe('Read more at now! Compost')
    expect(adapt('Voir www.exemple.fr 🇫🇷', 'fr')).toBe('Voir')
    expect(adapt('🚀 https://x.y', 'en')).toBe('')
  })

  it('makes pauses explicit with punctuation and normalises whitespace', () => {
    expect(adapt('First line\nSecond line\n\n- a bullet\n- another', 'en')).toBe('First line. Second line. a bullet. another')
    expect(adapt('Wait…   what?!!  It works — mostly (sometimes).', 'en')).toBe('Wait... what?! It works, mostly, sometimes.')
    expect(adapt('Le sujet : le compost ; simple', 'fr')).toBe('Le sujet, le compost, simple')
    expect(adapt('  lots\tof   space  ', 'en')).toBe('lots of space')
  })

  it('is pure: same input, same output', () => {
    const text = 'On 3 May, 42% of 1,000 people said "yes" 😀.'
    expect(adapt(text, 'en')).toBe(adapt(text, 'en'))
  })
})

describe('splitForSpeech', () => {
  it('splits at sentence ends, then clauses, then words; joining gives the text back', () => {
    const text = 'One two three. Four five six seven eight nine, ten eleven. Twelve.'
    const parts = splitForSpeech(text, 20)
    expect(parts.every((p) => p.length <= 20)).toBe(true)
    expect(parts.join(' ')).toBe(text)
    expect(parts[0]).toBe('One two three.')
    expect(splitForSpeech('short', 100)).toEqual(['short'])
    expect(splitForSpeech('   ', 100)).toEqual([])
    expect(splitForSpeech('a'.repeat(25), 10)).toEqual(['a'.repeat(10), 'a'.repeat(10), 'a'.repeat(5)])
  })
})
