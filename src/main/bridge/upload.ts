/**
 * Media dropped into the browser UI, streamed: `POST /upload?projectId=…&name=…` with the file as
 * the request body goes straight to a temp file inside the data folder, then becomes a project
 * asset by a rename. Nothing is held in memory, so a clip of several GB imports like a small one,
 * and the WebSocket's messages can stay small.
 *
 * Guarded like the WebSocket: the Host was checked by the caller; the token comes in a header
 * (never in the URL: no log keeps it), and the Origin must be this server's page. A custom
 * header also makes any cross-site attempt a CORS preflight, which this server never answers.
 */
import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { assetKindOf } from '../../shared/asset-kinds'
import type { Result } from '../../shared/contract'
import type { AssetView } from '../../shared/types'
import { toApiError } from '../api/handlers'
import { QueueError } from '../engine/errors'
import type { ProjectStore } from '../engine/projects'
import { makePrivateDir, PRIVATE_FILE_MODE } from '../engine/store/private-files'
import { ownOrigin } from './hosts'
import { tokenMatches } from './token'

export const UPLOAD_PATH = '/upload'

export interface UploadContext {
  token: string
  dataDir: string
  /** null when this process has no projects (a bare engine). */
  projects: Pick<ProjectStore, 'adoptUploadedAsset'> | null
}

export async function handleUpload(req: IncomingMessage, res: ServerResponse, url: URL, context: UploadContext): Promise<void> {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST')
    return answer(res, 405, refusal('bad_request', 'upload with POST'))
  }
  if (!tokenMatches(context.token, req.headers['x-studio-token'])) return answer(res, 401, refusal('forbidden', 'missing or wrong token'))
  if (req.headers.origin !== ownOrigin(req.headers.host ?? '')) return answer(res, 403, refusal('forbidden', 'uploads come from the studio page only'))
  if (!context.projects) return answer(res, 503, refusal('unavailable', 'projects are not available in this session'))

  const projectId = url.searchParams.get('projectId') ?? ''
  const name = url.searchParams.get('name') ?? ''
  if (projectId.length < 1 || projectId.length > 200) return answer(res, 400, refusal('bad_request', 'projectId: 1 to 200 characters'))
  if (name.length < 1 || name.length > 255) return answer(res, 400, refusal('bad_request', 'name: 1 to 255 characters'))
  // Refused before a byte is written: a GB that could never become an asset is not stored first.
  if (assetKindOf(name) === 'other') return answer(res, 400, refusal('bad_request', `name: ${JSON.stringify(name)} is not an image, audio or video file`))

  const folder = join(context.dataDir, 'projects', '.uploads')
  makePrivateDir(folder)
  const temp = join(folder, `${randomUUID()}.part`)
  try {
    await pipeline(req, createWriteStream(temp, { flags: 'wx', mode: PRIVATE_FILE_MODE }))
    const asset = await context.projects.adoptUploadedAsset(projectId, name, temp)
    answer(res, 200, { ok: true, value: asset } satisfies Result<AssetView>)
  } catch (err) {
    await rm(temp, { force: true })
    if (req.destroyed && !req.complete) {
      res.destroy() // the page went away mid-upload: nobody to answer
      return
    }
    answer(res, err instanceof QueueError ? 400 : 500, { ok: false, error: toApiError(err) })
  }
}

function refusal(code: string, message: string): Result<never> {
  return { ok: false, error: { code, message } }
}

function answer(res: ServerResponse, status: number, body: Result<unknown>): void {
  if (res.headersSent) return
  // Refused early: the rest of the body is not read, and the connection is not reused.
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...(status >= 400 ? { Connection: 'close' } : {}) })
  res.end(JSON.stringify(body))
}
