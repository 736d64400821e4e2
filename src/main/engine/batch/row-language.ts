import type { eld as Eld } from 'eld/small'

/** The languages the pipelines write and speak in. */
export const ROW_LANGUAGES = ['en', 'fr'] as const
export type RowLanguage = (typeof ROW_LANGUAGES)[number]

const NAMES: Record<string, RowLanguage> = {
  en: 'en', english: 'en', anglais: 'en', eng: 'en',
  fr: 'fr', french: 'fr', francais: 'fr', fra: 'fr', fre: 'fr'
}

/** A `language` cell as people write it: "fr", "FR", "fr-FR", "French", "Français". Null if not one we speak. */
export function languageOfCell(cell: unknown): RowLanguage | null {
  if (typeof cell !== 'string') return null
  const key = cell.trim().toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').split(/[-_ ]/)[0] ?? ''
  return NAMES[key] ?? null
}

// One detector for the process, told to choose only between the languages we speak. Its n-grams
// take most of a second to load: loaded by the imports that need it, not by every command.
let detector: ReturnType<typeof Eld.newInstance> | undefined
let loading: Promise<void> | undefined

/** Loads the detector (once); detectLanguage needs it. */
export function loadLanguageDetector(): Promise<void> {
  return (loading ??= import('eld/small').then(({ eld }) => {
    const d = eld.newInstance()
    d.setLanguageSubset([...ROW_LANGUAGES])
    detector = d
  }))
}

/** The language a row's text is written in (eld's n-gram detector); English when it cannot tell. */
export function detectLanguage(text: string): RowLanguage {
  if (!detector) throw new Error('detectLanguage: the language detector is not loaded (await loadLanguageDetector() first)')
  const found = text.trim() ? detector.detect(text).language : ''
  return (ROW_LANGUAGES as readonly string[]).includes(found) ? (found as RowLanguage) : 'en'
}

/**
 * A row's language: its own `language` column, else the batch config's language, else the
 * language its text is written in.
 */
export function rowLanguage(cell: unknown, configured: RowLanguage | undefined, text: string): RowLanguage {
  return languageOfCell(cell) ?? configured ?? detectLanguage(text)
}
