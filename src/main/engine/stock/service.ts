import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { AssetView } from '../../../shared/types'
import { PEXELS_LICENCE, PEXELS_LICENCE_URL, type StockItem, type StockKind, type StockSearchResult } from '../../../shared/stock'
import type { NetworkPolicy } from '../batch/sources/address-policy'
import { QueueError } from '../errors'
import type { ProjectStore } from '../projects'
import type { TextProvider } from '../providers/types'
import { stockConnection } from '../providers/registry'
import type { Studio } from '../studio'
import { downloadMedia, isProviderMediaUrl, mediaPolicy } from './download'
import { keywordsFor, parseProposedKeywords } from './keywords'
import { PexelsApi, type PexelsPhoto, type PexelsVideo } from './pexels-api'

const MAX_PHOTO_BYTES = 60_000_000
const MAX_VIDEO_BYTES = 600_000_000
/** The largest frame a scene needs: a 1080×1920 short or a 1920×1080 landscape video. */
const MAX_FRAME_PIXELS = 1920 * 1080

export interface StockDeps {
  projects: ProjectStore
  dataDir: string
  /** The configured library and its key (null: stock is turned off in settings). */
  connection(): { baseURL: string; apiKey: string | undefined; timeoutMs?: number } | null
  /** The text provider: a real model may propose the search words for a scene. */
  text(): TextProvider
  network: NetworkPolicy
}

export interface StockSearchRequest {
  query?: string | undefined
  /** A scene's narration: its keywords become the query. */
  sceneText?: string | undefined
  kind: StockKind
  count?: number | undefined
  page?: number | undefined
}

/**
 * Stock photos and videos for scenes: search with the scene's keywords, then take one into the
 * project's media bin with its author, licence and page, where a storyboard scene can use it like
 * any asset. The key never leaves this module but in the Authorization header to the library.
 */
export class StockService {
  constructor(private readonly deps: StockDeps) {}

  async search(request: StockSearchRequest, signal?: AbortSignal): Promise<StockSearchResult> {
    const api = this.api()
    let keywords: string[]
    let keywordSource: StockSearchResult['keywordSource'] = 'query'
    if (request.query?.trim()) keywords = [request.query.trim()]
    else if (request.sceneText?.trim()) ({ keywords, source: keywordSource } = await this.keywords(request.sceneText, signal))
    else throw new QueueError('bad_request', 'query: give a query or the scene text to search with')
    const query = keywords.join(' ')
    if (!query) throw new QueueError('bad_request', 'sceneText: no word in it to search with')
    const perPage = Math.min(80, Math.max(1, request.count ?? 12))
    const params = { perPage, ...(request.page ? { page: request.page } : {}) }
    if (request.kind === 'photo') {
      const r = await api.searchPhotos(query, params, signal)
      return { query, keywords, keywordSource, items: (r.photos ?? []).map(photoItem), total: r.total_results ?? 0 }
    }
    const r = await api.searchVideos(query, params, signal)
    return { query, keywords, keywordSource, items: (r.videos ?? []).map(videoItem), total: r.total_results ?? 0 }
  }

  /**
   * Take one item into the project's bin (downloaded once: asked again, the bin's copy is
   * returned). The download address is the one the library gives for that id — never one from
   * the caller — and must be the library's own, on a public address.
   */
  async import(projectId: string, id: number, kind: StockKind, signal?: AbortSignal): Promise<AssetView> {
    const sourceId = `pexels:${kind}:${id}`
    const existing = this.deps.projects.stockAsset(projectId, sourceId)
    if (existing) return existing
    const connection = this.connectionOrThrow()
    const api = this.api()
    const chosen = kind === 'photo' ? photoDownload(await api.photo(id, signal)) : videoDownload(await api.video(id, signal))
    if (!isProviderMediaUrl(chosen.url, connection.baseURL)) {
      throw new QueueError('forbidden', `the download address Pexels gave for ${kind} ${id} is not a Pexels address; it was not fetched`)
    }
    const temp = await downloadMedia(chosen.url, {
      network: mediaPolicy(this.deps.network, connection.baseURL),
      folder: join(this.deps.dataDir, 'projects', '.uploads'),
      maxBytes: kind === 'photo' ? MAX_PHOTO_BYTES : MAX_VIDEO_BYTES,
      field: `${kind} ${id}`,
      ...(signal ? { signal } : {})
    })
    try {
      return await this.deps.projects.adoptUploadedAsset(projectId, chosen.name, temp, {
        sourceId,
        author: chosen.author,
        authorUrl: chosen.authorUrl,
        licence: PEXELS_LICENCE,
        licenceUrl: PEXELS_LICENCE_URL,
        sourceUrl: chosen.pageUrl
      })
    } catch (err) {
      await rm(temp, { force: true })
      throw err
    }
  }

  /** Search words for a scene: a real text model proposes them; offline (or when it fails), the word filter. */
  async keywords(text: string, signal?: AbortSignal): Promise<{ keywords: string[]; source: 'offline' | 'model' }> {
    const provider = this.deps.text()
    if (!provider.offline) {
      try {
        const answer = await provider.generate(
          {
            system: 'You pick search words for a stock photo and video library.',
            prompt: `Give 3 short English search keywords (concrete things that can be filmed), comma-separated, nothing else, for this narration:\n${text.slice(0, 2000)}`,
            maxTokens: 40,
            temperature: 0
          },
          { signal: signal ?? AbortSignal.timeout(30_000) }
        )
        const proposed = parseProposedKeywords(answer.text, 3)
        if (proposed.length) return { keywords: proposed, source: 'model' }
      } catch (err) {
        if (signal?.aborted) throw err
        // The model is down or slow: the offline filter still finds words worth searching.
      }
    }
    return { keywords: keywordsFor(text, 3), source: 'offline' }
  }

  private connectionOrThrow() {
    const c = this.deps.connection()
    if (!c) throw new QueueError('bad_request', 'stock: stock visuals are turned off in settings (providers.stock.kind is "none")')
    if (!c.apiKey) throw new QueueError('no_key', 'stock: no Pexels API key; set PEXELS_API_KEY or enter the key in Settings → Stock visuals')
    return c
  }

  private api(): PexelsApi {
    const c = this.connectionOrThrow()
    return new PexelsApi({ baseURL: c.baseURL, apiKey: c.apiKey!, ...(c.timeoutMs ? { timeoutMs: c.timeoutMs } : {}) })
  }
}

function photoItem(p: PexelsPhoto): StockItem {
  return { id: p.id, kind: 'photo', width: p.width, height: p.height, durationSec: null, previewUrl: p.src?.medium ?? p.src?.small ?? '', pageUrl: p.url, author: p.photographer, authorUrl: p.photographer_url || null, alt: p.alt || null }
}

function videoItem(v: PexelsVideo): StockItem {
  return { id: v.id, kind: 'video', width: v.width, height: v.height, durationSec: v.duration ?? null, previewUrl: v.image, pageUrl: v.url, author: v.user?.name ?? '', authorUrl: v.user?.url || null, alt: null }
}

interface Download {
  url: string
  name: string
  author: string
  authorUrl: string | null
  pageUrl: string
}

/** The original file: the renderer scales it to the scene's frame. */
function photoDownload(p: PexelsPhoto): Download {
  const url = p.src?.original
  if (!url) throw new QueueError('provider_error', `Pexels gave no file for photo ${p.id}`)
  const ext = /\.(jpe?g|png|webp)(?=[?#]|$)/i.exec(url)?.[0]?.toLowerCase() ?? '.jpg'
  return { url, name: `pexels-${p.id}${nameHint(p.alt)}${ext}`, author: p.photographer, authorUrl: p.photographer_url || null, pageUrl: p.url }
}

/** The largest MP4 that fits a 1080p frame (a 4K file would only be scaled down), else the smallest. */
function videoDownload(v: PexelsVideo): Download {
  const mp4 = (v.video_files ?? []).filter((f) => typeof f.link === 'string' && (String(f.file_type) === 'video/mp4' || /\.mp4(?=[?#]|$)/i.test(f.link)))
  const pixels = (f: (typeof mp4)[number]) => (f.width ?? 0) * (f.height ?? 0)
  const fitting = mp4.filter((f) => pixels(f) <= MAX_FRAME_PIXELS).sort((a, b) => pixels(b) - pixels(a))
  const file = fitting[0] ?? [...mp4].sort((a, b) => pixels(a) - pixels(b))[0]
  if (!file) throw new QueueError('provider_error', `Pexels gave no MP4 file for video ${v.id}`)
  return { url: file.link, name: `pexels-${v.id}.mp4`, author: v.user?.name ?? '', authorUrl: v.user?.url || null, pageUrl: v.url }
}

/** "-octopus-in-the-sea" from a photo's description, for a file name a person recognises. */
function nameHint(alt: string | null | undefined): string {
  const slug = (alt ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40)
    .replace(/-$/, '')
  return slug ? `-${slug}` : ''
}

/** The studio's stock service, downloads limited by `network` (the command API: public addresses only). */
export function stockServiceOf(studio: Studio, network: NetworkPolicy): StockService {
  return new StockService({
    projects: studio.projects,
    dataDir: studio.dataDir,
    connection: () => stockConnection(studio.services.settings().providers, { secrets: (r) => studio.services.secrets.get(r), env: studio.services.env }),
    text: () => studio.services.providers().text,
    network
  })
}
