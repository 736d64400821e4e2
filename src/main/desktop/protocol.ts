/**
 * `studio-file://` — how the renderer shows artifacts (<img>, <audio>, <video>) without file://
 * access. Only real files (symlinks resolved) inside the studio's media folders are served; the
 * rest of the data folder (studio.db, the encrypted key file, Chromium's cookies and local
 * storage, which share Electron's userData folder) is never reachable. Range requests are
 * answered with 206 so <video> can seek.
 */
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { protocol } from 'electron'
import { contentType, parseRange } from '../bridge/files'
import { APP_SCHEME } from './app-page'
import { FILE_SCHEME, pathFromFileUrl } from './file-url'
import { mediaRoots, resolveInsideRoots } from '../api/media-paths'

/**
 * Must run before `app` is ready, and once (Electron allows a single call): the app page's scheme
 * (standard and secure, so the page is a real origin that 'self' names) and the media scheme
 * (which can also stream, for <video> seeking). Neither bypasses the CSP.
 */
export function registerSchemePrivileges(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, bypassCSP: false, corsEnabled: false } },
    { scheme: FILE_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, bypassCSP: false, corsEnabled: false } }
  ])
}


/** Artifacts are untrusted content: never let one run script in the app's origin. */
const FILE_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'none'; sandbox",
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store'
}

/** `roots`: the folders served, or a function giving them per request (a farm's share comes and goes: host/media-roots.ts). */
export function createFileHandler(roots: readonly string[] | (() => Promise<readonly string[]>)): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'only GET and HEAD')
    const requested = pathFromFileUrl(request.url)
    if (requested === null) return refuse(400, 'not a studio-file URL')
    const file = await resolveInsideRoots(typeof roots === 'function' ? await roots() : roots, requested)
    if ('status' in file) return refuse(file.status, file.message)
    const headers: Record<string, string> = {
      ...FILE_HEADERS,
      'Content-Type': contentType(file.path),
      'Accept-Ranges': 'bytes',
      'Last-Modified': new Date(file.mtimeMs).toUTCString()
    }
    const range = parseRange(request.headers.get('range') ?? undefined, file.size)
    if (range === 'unsatisfiable') return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${file.size}` } })
    const { start, end } = range ?? { start: 0, end: file.size - 1 }
    const length = file.size === 0 ? 0 : end - start + 1
    if (range) headers['Content-Range'] = `bytes ${start}-${end}/${file.size}`
    headers['Content-Length'] = String(length)
    const body = request.method === 'HEAD' || length === 0 ? null : (Readable.toWeb(createReadStream(file.path, { start, end })) as unknown as ReadableStream)
    return new Response(body, { status: range ? 206 : 200, headers })
  }
}

function refuse(status: number, message: string): Response {
  return new Response(message, { status, headers: { ...FILE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } })
}

/** Serve the studio's media folders (and a farm's share's: `roots`) on `studio-file://` (after `app` is ready). Returns the undo. */
export function serveStudioFiles(dataDir: string, roots?: () => Promise<readonly string[]>): () => void {
  protocol.handle(FILE_SCHEME, createFileHandler(roots ?? mediaRoots(dataDir)))
  return () => protocol.unhandle(FILE_SCHEME)
}
