/**
 * What the user reads when a command is refused. The engine's messages are English and precise
 * (they name the field or the state). Refused input comes with its issues, each worded in the
 * user's language with the field's label; otherwise, in another language, the app leads with a
 * sentence of its own for the error's code and keeps the engine's words as the detail.
 */
import type { ApiError } from '../../../shared/contract'
import { translate, translator, type Locale, type MessageKey } from '../i18n'
import { en } from '../i18n/en'
import { issuesText } from './issue-text'

export function errorText(error: ApiError, locale: Locale): string {
  if (error.issues?.length) return issuesText(error.issues, translator(locale))
  if (locale === 'en') return error.message
  const key = `error.${error.code}` as MessageKey
  if (!(key in en)) return error.message
  return `${translate(locale, key)} (${error.message})`
}
