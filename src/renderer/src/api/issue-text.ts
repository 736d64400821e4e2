/**
 * One refused field as a sentence in the user's language: which field (as the form labels it)
 * and what to do. Built from zod's code and bounds, never from its English message, which stays
 * in the log.
 */
import type { ApiIssue } from '../../../shared/api-issues'
import type { MessageKey, Translator } from '../i18n'
import { en } from '../i18n/en'
import { quotedField } from './field-labels'

export function issueText(issue: ApiIssue, t: Translator): string {
  const field = quotedField(issue.path, t)
  const n = (v: number | undefined) => t.number(v ?? 0)
  switch (issue.code) {
    case 'invalid_type':
      if (issue.received === 'undefined' || issue.received === 'null') return t('issue.required', { field })
      if (issue.expected === 'number' || issue.expected === 'int') return t(issue.expected === 'int' ? 'issue.type.int' : 'issue.type.number', { field })
      if (issue.expected === 'string') return t('issue.type.string', { field })
      if (issue.expected === 'boolean') return t('issue.type.boolean', { field })
      return t('issue.type.other', { field })
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small'
      const bound = small ? issue.minimum : issue.maximum
      if (issue.origin === 'string') {
        if (small && (bound ?? 0) <= 1) return t('issue.empty', { field })
        return t.plural(small ? 'issue.tooShort' : 'issue.tooLong', bound ?? 0, { field })
      }
      if (issue.origin === 'array' || issue.origin === 'set') return t.plural(small ? 'issue.tooFew' : 'issue.tooMany', bound ?? 0, { field })
      const strict = issue.inclusive === false
      return t(small ? (strict ? 'issue.tooSmallStrict' : 'issue.tooSmall') : strict ? 'issue.tooBigStrict' : 'issue.tooBig', { field, n: n(bound) })
    }
    case 'invalid_value':
      return t('issue.oneOf', { field, values: (issue.values ?? []).map((v) => String(v)).join(', ') })
    case 'invalid_format':
      if (issue.format === 'url') return t('issue.format.url', { field })
      if (issue.format === 'regex' && /colou?r$/i.test(String(issue.path.at(-1) ?? ''))) return t('issue.format.color', { field })
      return t('issue.format.other', { field })
    case 'unrecognized_keys': {
      const keys = (issue.keys ?? []).join(', ')
      return issue.path.length ? t('issue.unknownKeys', { field, keys }) : t('issue.unknownKeysRoot', { keys })
    }
    case 'custom':
      // A rule of the engine's own that says why (the farm's queue URL): worded here when the app knows the reason.
      if (issue.reason && `issue.custom.${issue.reason}` in en) return t(`issue.custom.${issue.reason}` as MessageKey, { field })
      return t('issue.invalid', { field, detail: issue.message })
    default:
      // A rule of the engine's own (custom, union…): its words are English, so only English shows them.
      return t('issue.invalid', { field, detail: issue.message })
  }
}

/** Every issue once (the copies of a job repeat theirs), one sentence each. */
export function issuesText(issues: readonly ApiIssue[], t: Translator): string {
  return [...new Set(issues.map((i) => issueText(i, t)))].join(' ')
}

/** The sentences for one field only (a form shows them under that field). */
export function issuesFor(issues: readonly ApiIssue[] | undefined, prefix: readonly (string | number)[], t: Translator): string | null {
  const mine = (issues ?? []).filter((i) => prefix.every((p, k) => i.path[k] === p))
  return mine.length ? issuesText(mine, t) : null
}
