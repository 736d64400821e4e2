/**
 * A local fake of the Pexels REST API (https://www.pexels.com/api/documentation/):
 *  - GET /v1/search?query&per_page&page      → { total_results, page, per_page, photos: [Photo…], next_page }
 *  - GET /videos/search?query&per_page&page  → { total_results, page, per_page, videos: [Video…] }
 *  - GET /v1/photos/:id, GET /videos/videos/:id
 *  - the media behind src.original and video_files[].link, served from the same origin
 * Every API call needs `Authorization: <key>` (401 otherwise), as Pexels does.
 */
import type { ServerResponse } from 'node:http'
import sharp from 'sharp'
import { sendJson, startFakeHttp, type FakeHttpServer, type FakeRequest } from './fake-http'

export const PEXELS_TEST_KEY = 'pexels-test-key-0123456789'

export interface PexelsFake extends FakeHttpServer {
  /** The bytes served for each photo and video file. */
  readonly jpeg: Buffer
  readonly mp4: Buffer
  /** Override a photo's src.original (a foreign or internal address, a redirect…). */
  readonly photoUrl: Map<number, string>
  /** Where GET /media/redirect sends the client. */
  readonly redirect: { to: string }
}

export async function startPexelsFake(mp4: Buffer): Promise<PexelsFake> {
  const jpeg = await sharp({ create: { width: 64, height: 36, channels: 3, background: { r: 20, g: 90, b: 160 } } }).jpeg().toBuffer()
  const photoUrl = new Map<number, string>()
  let base = ''
  const redirect = { to: '' }
  const authorized = (req: FakeRequest, res: ServerResponse) => {
    if (req.headers.authorization === PEXELS_TEST_KEY) return true
    sendJson(res, 401, { error: 'Unauthorized' })
    return false
  }
  const photo = (id: number) => ({
    id,
    width: 6000,
    height: 4000,
    url: `https://www.pexels.com/photo/octopus-${id}/`,
    photographer: 'Ana Lee',
    photographer_url: 'https://www.pexels.com/@ana-lee',
    photographer_id: '42',
    avg_color: '#1A5AA0',
    alt: 'Octopus in the deep sea',
    liked: false,
    src: {
      original: photoUrl.get(id) ?? `${base}/media/photos/${id}.jpeg`,
      large2x: `${base}/media/photos/${id}.jpeg?w=1880`,
      large: `${base}/media/photos/${id}.jpeg?h=650`,
      medium: `${base}/media/photos/${id}.jpeg?h=350`,
      small: `${base}/media/photos/${id}.jpeg?h=130`,
      portrait: `${base}/media/photos/${id}.jpeg?portrait`,
      landscape: `${base}/media/photos/${id}.jpeg?landscape`,
      tiny: `${base}/media/photos/${id}.jpeg?tiny`
    }
  })
  const video = (id: number) => ({
    id,
    width: 3840,
    height: 2160,
    url: `https://www.pexels.com/video/waves-${id}/`,
    image: `${base}/media/photos/${id}.jpeg`,
    duration: 12,
    full_res: null,
    tags: [],
    user: { id: 7, name: 'Bo Chen', url: 'https://www.pexels.com/@bo-chen' },
    video_files: [
      { id: 1, quality: 'uhd', file_type: 'video/mp4', width: 3840, height: 2160, fps: 25, link: `${base}/media/videos/${id}-3840.mp4` },
      { id: 2, quality: 'sd', file_type: 'video/mp4', width: 640, height: 360, fps: 25, link: `${base}/media/videos/${id}-640.mp4` },
      { id: 3, quality: 'hd', file_type: 'video/mp4', width: 1920, height: 1080, fps: 25, link: `${base}/media/videos/${id}-1920.mp4` },
      { id: 4, quality: 'hls', file_type: 'application/x-mpegURL', width: null, height: null, fps: null, link: `${base}/media/videos/${id}.m3u8` }
    ],
    video_pictures: []
  })
  const page = (req: FakeRequest) => {
    const perPage = Number(req.query.get('per_page') ?? 15)
    const p = Number(req.query.get('page') ?? 1)
    return { perPage, p, ids: Array.from({ length: perPage }, (_, i) => 1000 + (p - 1) * perPage + i) }
  }
  const media = (type: string, bytes: () => Buffer) => (_req: FakeRequest, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': type, 'content-length': bytes().length })
    res.end(bytes())
  }
  const server = await startFakeHttp({
    'GET /v1/search': (req, res) => {
      if (!authorized(req, res)) return
      const { perPage, p, ids } = page(req)
      sendJson(res, 200, { total_results: 240, page: p, per_page: perPage, photos: ids.map(photo), next_page: `${base}/v1/search?page=${p + 1}` }, { 'x-ratelimit-limit': '25000', 'x-ratelimit-remaining': '24999' })
    },
    'GET /videos/search': (req, res) => {
      if (!authorized(req, res)) return
      const { perPage, p, ids } = page(req)
      sendJson(res, 200, { total_results: 80, page: p, per_page: perPage, videos: ids.map(video), url: `${base}/videos/search` })
    },
    'GET /v1/photos/:id': (req, res) => {
      if (authorized(req, res)) sendJson(res, 200, photo(Number(req.path.split('/').pop())))
    },
    'GET /videos/videos/:id': (req, res) => {
      if (authorized(req, res)) sendJson(res, 200, video(Number(req.path.split('/').pop())))
    },
    'GET /media/photos/:file': media('image/jpeg', () => jpeg),
    'GET /media/videos/:file': media('video/mp4', () => mp4),
    'GET /media/redirect': (_req, res) => {
      res.writeHead(302, { location: redirect.to })
      res.end()
    }
  })
  base = server.baseURL
  return Object.assign(server, { jpeg, mp4, photoUrl, redirect })
}
