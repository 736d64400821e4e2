/** ISO 639-1 code. Offline templates know 'en' and 'fr'; speech engines know many more. */
export type Language = 'en' | 'fr' | (string & {})
