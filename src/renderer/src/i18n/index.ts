import { en, type MessageKey } from './en'
import { fr } from './fr'

export type Locale = 'en' | 'fr'
export type { MessageKey } from './en'
export const LOCALES: Locale[] = ['en', 'fr']

const dictionaries: Record<Locale, Record<MessageKey, string>> = { en, fr }

/** French for the seeds' users, English otherwise. */
export function defaultLocale(language: string | undefined = typeof navigator !== 'undefined' ? navigator.language : undefined): Locale {
  return language?.toLowerCase().startsWith('fr') ? 'fr' : 'en'
}

export type Params = Record<string, string | number>

export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const text = dictionaries[locale][key] ?? en[key]
  if (!params) return text
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m))
}

/**
 * Plural forms: `key.one` / `key.other`. French treats 0 and 1 as singular, English only 1.
 */
export function plural(locale: Locale, key: string, n: number, params: Params = {}): string {
  const one = locale === 'fr' ? n < 2 : n === 1
  return translate(locale, `${key}.${one ? 'one' : 'other'}` as MessageKey, { n: formatNumber(locale, n), ...params })
}

export function formatNumber(locale: Locale, n: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-US', options).format(n)
}

export interface Translator {
  locale: Locale
  (key: MessageKey, params?: Params): string
  plural(key: string, n: number, params?: Params): string
  number(n: number, options?: Intl.NumberFormatOptions): string
}

export function translator(locale: Locale): Translator {
  const t = ((key: MessageKey, params?: Params) => translate(locale, key, params)) as Translator
  t.locale = locale
  t.plural = (key, n, params) => plural(locale, key, n, params)
  t.number = (n, options) => formatNumber(locale, n, options)
  return t
}
