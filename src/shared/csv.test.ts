import { describe, expect, it } from 'vitest'
import { csvDelimiterFor, csvText } from './csv'

describe('CSV for spreadsheet apps', () => {
  it('quotes what needs it and guards formulas', () => {
    expect(csvText([['a,b', 'say "hi"', '=1+1', 'line\nbreak', null, 3]])).toBe('"a,b","say ""hi""",\'=1+1,"line\nbreak",,3')
  })

  it("with ';' (French Excel), numbers take a decimal comma and a cell holding ';' is quoted", () => {
    expect(csvText([['cost', 0.0125, 'a;b', 'a,b']], ';')).toBe('cost;0,0125;"a;b";a,b')
  })

  it("picks ';' for languages whose decimal separator is a comma", () => {
    expect(csvDelimiterFor('fr')).toBe(';')
    expect(csvDelimiterFor('fr-CA')).toBe(';')
    expect(csvDelimiterFor('en')).toBe(',')
  })
})
