import { dirname, resolve } from 'node:path'

/**
 * Where the app's own page lives: the built renderer served on `app://studio/` in production
 * (see app-protocol.ts: never file://, whose pages get extra privileges and share an "origin"
 * with every other file on disk), the electron-vite dev server in development. Every trust
 * decision (IPC sender, CSP, navigation) asks this one object.
 */
export const APP_SCHEME = 'app'
export const APP_HOST = 'studio'
export const APP_PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

export type AppPage = { kind: 'app'; rendererDir: string; url: string } | { kind: 'dev'; url: string }

export function appPageFrom(options: { devServerUrl?: string | undefined; rendererIndexHtml: string; packaged: boolean }): AppPage {
  // A packaged app never trusts an environment variable to point it at another origin.
  if (options.devServerUrl && !options.packaged) return { kind: 'dev', url: options.devServerUrl }
  return { kind: 'app', rendererDir: dirname(resolve(options.rendererIndexHtml)), url: APP_PAGE_URL }
}

/** True when `url` is the app page itself (any hash or query), never a sibling file or another origin. */
export function isAppPageUrl(page: AppPage, url: string): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (parsed.username || parsed.password) return false
  if (page.kind === 'dev') {
    const dev = new URL(page.url)
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.origin === dev.origin
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && (parsed.pathname === '/index.html' || parsed.pathname === '/')
}
