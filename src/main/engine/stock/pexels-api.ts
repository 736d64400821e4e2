/**
 * Pexels' documented REST API (https://www.pexels.com/api/documentation/), over fetch.
 *
 * Not the official `pexels` client: its addresses are constants (https://api.pexels.com), so it
 * cannot be pointed at a proxy or at the local fake the tests start; it puts the query in the URL
 * without encoding it ("rock & roll" becomes two parameters); and it throws `new Error(statusText)`,
 * losing the status and the rate-limit headers a caller needs to say "check the key" or "try again
 * at …". Its response types are used as they are.
 */
import type { Photo, PhotosWithTotalResults, Video, Videos } from 'pexels'
import { QueueError } from '../errors'
import { formatMs } from '../../../shared/format-ms'

export const DEFAULT_PEXELS_BASE_URL = 'https://api.pexels.com'
const DEFAULT_TIMEOUT_MS = 20_000

export interface PexelsApiOptions {
  baseURL: string
  apiKey: string
  timeoutMs?: number
}

export type PexelsPhoto = Photo
export type PexelsVideo = Video

export class PexelsApi {
  constructor(private readonly options: PexelsApiOptions) {}

  async searchPhotos(query: string, params: { perPage: number; page?: number; locale?: string }, signal?: AbortSignal): Promise<PhotosWithTotalResults> {
    return this.get<PhotosWithTotalResults>('/v1/search', { query, per_page: params.perPage, page: params.page ?? 1, ...(params.locale ? { locale: params.locale } : {}) }, signal)
  }

  async searchVideos(query: string, params: { perPage: number; page?: number; locale?: string }, signal?: AbortSignal): Promise<Videos> {
    return this.get<Videos>('/videos/search', { query, per_page: params.perPage, page: params.page ?? 1, ...(params.locale ? { locale: params.locale } : {}) }, signal)
  }

  photo(id: number, signal?: AbortSignal): Promise<Photo> {
    return this.get<Photo>(`/v1/photos/${id}`, {}, signal)
  }

  video(id: number, signal?: AbortSignal): Promise<Video> {
    return this.get<Video>(`/videos/videos/${id}`, {}, signal)
  }

  private async get<T>(path: string, params: Record<string, string | number>, signal?: AbortSignal): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), this.options.baseURL.replace(/\/*$/, '/'))
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v))
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
    let response: Response
    try {
      response = await fetch(url, {
        headers: { Authorization: this.options.apiKey, Accept: 'application/json' },
        redirect: 'error',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout
      })
    } catch (err) {
      if (signal?.aborted) throw err
      const why = timeout.aborted ? `no answer within ${formatMs(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS)}` : describe(err)
      throw new QueueError('provider_error', `Pexels could not be reached (${why}); try again later`)
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel()
      throw new QueueError('unauthorized', `Pexels refused the key (HTTP ${response.status}): check the Pexels API key`)
    }
    if (response.status === 404) {
      await response.body?.cancel()
      throw new QueueError('not_found', 'Pexels has no such photo or video (HTTP 404)')
    }
    if (response.status === 429) {
      await response.body?.cancel()
      const reset = Number(response.headers.get('x-ratelimit-reset'))
      const when = Number.isFinite(reset) && reset > 0 ? ` (the quota resets at ${new Date(reset * 1000).toISOString()})` : ''
      throw new QueueError('rate_limited', `Pexels: request quota used up${when}; try again later`)
    }
    if (!response.ok) {
      await response.body?.cancel()
      throw new QueueError('provider_error', `Pexels answered HTTP ${response.status}; try again later`)
    }
    try {
      return (await response.json()) as T
    } catch (err) {
      throw new QueueError('provider_error', `Pexels sent an answer that is not JSON (${describe(err)})`)
    }
  }
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err))
}
