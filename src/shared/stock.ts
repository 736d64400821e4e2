/** Stock photos and videos (Pexels) as the contract carries them. No Node, no DOM. */
export type StockKind = 'photo' | 'video'

export interface StockItem {
  /** The library's own id (stock/import takes it back). */
  id: number
  kind: StockKind
  width: number
  height: number
  /** Videos only. */
  durationSec: number | null
  /** A small picture to show in a result list. */
  previewUrl: string
  /** The item's page at the library. */
  pageUrl: string
  author: string
  authorUrl: string | null
  alt: string | null
}

export interface StockSearchResult {
  /** What was searched: the query given, or the keywords taken from the scene's text. */
  query: string
  keywords: string[]
  /** Where the keywords came from: the query as given, the offline word filter, or the text model. */
  keywordSource: 'query' | 'offline' | 'model'
  items: StockItem[]
  total: number
}

export const PEXELS_LICENCE = 'Pexels License'
export const PEXELS_LICENCE_URL = 'https://www.pexels.com/license/'
