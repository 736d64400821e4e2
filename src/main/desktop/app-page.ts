import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Where the app's own page lives: the built `index.html` (file://) in production, the
 * electron-vite dev server in development. Every trust decision (IPC sender, CSP, navigation)
 * asks this one object.
 */
export type AppPage = { kind: 'file'; indexHtml: string } | { kind: 'dev'; url: string }

export function appPageFrom(options: { devServerUrl?: string | undefined; rendererIndexHtml: string; packaged: boolean }): AppPage {
  // A packaged app never trusts an environment variable to point it at another origin.
  if (options.devServerUrl && !options.packaged) return { kind: 'dev', url: options.devServerUrl }
  return { kind: 'file', indexHtml: resolve(options.rendererIndexHtml) }
}

/** True when `url` is the app page itself (any hash or query), never a sibling file or another origin. */
export function isAppPageUrl(page: AppPage, url: string): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (page.kind === 'dev') {
    const dev = new URL(page.url)
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.origin === dev.origin && !parsed.username && !parsed.password
  }
  if (parsed.protocol !== 'file:' || parsed.host !== '') return false
  parsed.hash = ''
  parsed.search = ''
  let path: string
  try {
    path = fileURLToPath(parsed)
  } catch {
    return false
  }
  return samePath(resolve(path), page.indexHtml)
}

function samePath(a: string, b: string): boolean {
  return process.platform === 'win32' || process.platform === 'darwin' ? a.toLowerCase() === b.toLowerCase() : a === b
}
