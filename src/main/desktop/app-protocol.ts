/**
 * `app://studio/` — the built renderer, served to the window instead of file://. Only real files
 * (symlinks resolved) inside the renderer folder are served, with their MIME type; the page
 * carries its Content-Security-Policy as a header (the <meta> tag in index.html says the same).
 */
import { createReadStream } from 'node:fs'
import { resolve } from 'node:path'
import { Readable } from 'node:stream'
import { protocol } from 'electron'
import { resolveInsideRoots } from '../api/media-paths'
import { contentType } from '../bridge/files'
import { APP_HOST, APP_SCHEME, type AppPage } from './app-page'
import { contentSecurityPolicy } from './security'

type ServedPage = Extract<AppPage, { kind: 'app' }>

export function createAppPageHandler(page: ServedPage): (request: Request) => Promise<Response> {
  const policy = contentSecurityPolicy(page)
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'only GET and HEAD')
    const url = new URL(request.url)
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return refuse(404, 'not found')
    let path: string
    try {
      path = decodeURIComponent(url.pathname)
    } catch {
      return refuse(400, 'bad path')
    }
    if (path.includes('\0')) return refuse(400, 'bad path')
    const relative = path === '/' || path === '' ? 'index.html' : path.replace(/^[/\\]+/, '')
    const file = await resolveInsideRoots([page.rendererDir], resolve(page.rendererDir, relative))
    if ('status' in file) return refuse(file.status, file.message)
    const type = contentType(file.path)
    const headers: Record<string, string> = {
      'Content-Type': type,
      'Content-Length': String(file.size),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
      ...(type.startsWith('text/html') ? { 'Content-Security-Policy': policy } : {})
    }
    const body = request.method === 'HEAD' || file.size === 0 ? null : (Readable.toWeb(createReadStream(file.path)) as unknown as ReadableStream)
    return new Response(body, { status: 200, headers })
  }
}

function refuse(status: number, message: string): Response {
  return new Response(message, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' } })
}

/** Serve the renderer on app:// (after `app` is ready). Returns the undo; nothing to do for the dev server. */
export function serveAppPage(page: AppPage): () => void {
  if (page.kind !== 'app') return () => {}
  protocol.handle(APP_SCHEME, createAppPageHandler(page))
  return () => protocol.unhandle(APP_SCHEME)
}
