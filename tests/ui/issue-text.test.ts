/**
 * Every zod code a contract validation can produce becomes a sentence in the user's language that
 * names the field as the form labels it and says what to do; the engine's English stays out of
 * the French text (it goes to the log).
 */
import { describe, expect, it } from 'vitest'
import { errorText } from '../../src/renderer/src/api/error-text'
import { issueText } from '../../src/renderer/src/api/issue-text'
import { translator } from '../../src/renderer/src/i18n'
import type { ApiIssue } from '../../src/shared/api-issues'
import { frenchProblems } from './french-typography.test'

const en = translator('en')
const fr = translator('fr')
const nb = (s: string) => s.replace(/ ([:;»])/g, '\u00a0$1').replace(/« /g, '«\u00a0')

const CASES: [ApiIssue, string, string][] = [
  [{ path: ['input', 'idea'], code: 'invalid_type', expected: 'string', received: 'undefined', message: 'Invalid input: expected string, received undefined' }, '“Idea” is required: fill it in.', 'Le champ « Idée » est obligatoire : remplissez-le.'],
  [{ path: ['priority'], code: 'invalid_type', expected: 'number', received: 'string', message: 'x' }, '“Priority” must be a number: type digits only.', 'Le champ « Priorité » attend un nombre : saisissez uniquement des chiffres.'],
  [{ path: ['subtitleStyle', 'fontSize'], code: 'too_big', maximum: 300, origin: 'number', inclusive: true, message: 'x' }, '“Size” is too large: enter 300 or less.', 'Le champ « Taille » est trop grand : saisissez 300 ou moins.'],
  [{ path: ['concurrency'], code: 'too_small', minimum: 1, origin: 'number', inclusive: true, message: 'x' }, '“Jobs at once” is too small: enter 1 or more.', ''],
  [{ path: ['jobs', 3, 'input', 'idea'], code: 'too_small', minimum: 3, origin: 'string', inclusive: true, message: 'x' }, '“Idea” is too short: write at least 3 characters.', 'Le champ « Idée » est trop court : écrivez au moins 3\u00a0caractères.'],
  [{ path: ['name'], code: 'too_small', minimum: 1, origin: 'string', inclusive: true, message: 'x' }, '“Batch name” is empty: fill it in.', ''],
  [{ path: ['title'], code: 'too_big', maximum: 300, origin: 'string', inclusive: true, message: 'x' }, '“Title (optional)” is too long: keep it to 300 characters at most.', ''],
  [{ path: ['config', 'adversarial'], code: 'invalid_value', values: ['none', 'light'], message: 'x' }, '“Adversarial” must be one of none, light: pick one of them.', ''],
  [{ path: ['providers', 'text', 'baseURL'], code: 'invalid_format', format: 'url', message: 'x' }, '“Text — Base URL” must be a web address starting with http:// or https://.', ''],
  [{ path: ['subtitleStyle', 'color'], code: 'invalid_format', format: 'regex', message: 'x' }, '“Text colour” must be a colour written #RRGGBB, for example #FFD400.', ''],
  [{ path: [], code: 'unrecognized_keys', keys: ['colour'], message: 'x' }, 'Fields the app does not know (colour): remove them or check their spelling.', ''],
  [{ path: ['before'], code: 'custom', message: 'give exactly one of before or after' }, '“before” is not valid: give exactly one of before or after.', 'Le champ « before » n’est pas valide : corrigez-le.']
]

describe('refused fields in words', () => {
  it.each(CASES)('%j', (issue, english, french) => {
    expect(issueText(issue, en)).toBe(english)
    const inFrench = issueText(issue, fr)
    if (french) expect(inFrench).toBe(nb(french))
    expect(frenchProblems(inFrench.replace(/\(colour\)|« before »/g, ''))).toEqual([])
    expect(inFrench).not.toMatch(/Invalid input|expected|received|is not valid/)
  })

  it('an API error with issues is worded issue by issue (copies folded), one without keeps the old wording', () => {
    const issue: ApiIssue = { path: ['jobs', 0, 'input', 'idea'], code: 'invalid_type', expected: 'string', received: 'undefined', message: 'Invalid input' }
    const error = { code: 'bad_request', message: 'jobs[0].input.idea: Invalid input', issues: [issue, { ...issue, path: ['jobs', 1, 'input', 'idea'] }] }
    expect(errorText(error, 'fr')).toBe(nb('Le champ « Idée » est obligatoire : remplissez-le.'))
    expect(errorText({ code: 'bad_state', message: 'batch is running' }, 'en')).toBe('batch is running')
  })
})
