/**
 * Electron's security checklist, in one place: the window's web preferences, the CSP header,
 * permissions, navigation, new windows and webviews. Each rule has an exploit-style test in
 * tests/desktop/*.exploit.test.ts.
 */
import type { Session, WebContents, WebPreferences } from 'electron'
import { isAppPageUrl, type AppPage } from './app-page'
import { openExternalSafely } from './external'
import { FILE_SCHEME } from './file-url'

/**
 * The renderer runs web content only: isolated from the preload, sandboxed by the OS, no Node,
 * same-origin policy on, no <webview>. (`enableRemoteModule` no longer exists: Electron removed
 * `remote` in v14 and we do not use @electron/remote.)
 */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    enableWebSQL: false,
    safeDialogs: true,
    spellcheck: true
  }
}

/**
 * The page's Content-Security-Policy. Scripts only from the app itself; artifacts (images,
 * audio, video) from our file protocol; no plugins, frames, forms or <base>; network only to the
 * page's own origin (no other local port: a page that could talk to any localhost WebSocket could
 * reach other apps' debug ports). The dev server additionally needs the React refresh preamble
 * (inline) and its HMR WebSocket.
 *
 * The packaged app's page comes from app://studio/, whose handler (app-protocol.ts) sends this
 * policy as a header; the <meta> tag in src/renderer/index.html carries the same policy (minus
 * frame-ancestors, which a <meta> cannot set). tests/desktop/csp.test.ts keeps the two equal.
 */
export function contentSecurityPolicy(page: AppPage): string {
  const files = `${FILE_SCHEME}:`
  const dev = page.kind === 'dev'
  const hmr = dev ? ` ${new URL(page.url).protocol === 'https:' ? 'wss' : 'ws'}://${new URL(page.url).host}` : ''
  return [
    "default-src 'none'",
    `script-src 'self'${dev ? " 'unsafe-inline'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob: ${files}`,
    `media-src 'self' blob: ${files}`,
    "font-src 'self' data:",
    `connect-src 'self' ${files}${hmr}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "frame-src 'none'",
    "child-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
  ].join('; ')
}

/**
 * Sets the CSP (and nosniff) as response headers on the app's own page, in addition to the
 * renderer's <meta> tag. Chromium enforces both, so the stricter wins. This is for the dev
 * server's page; the app:// page gets the header from its protocol handler (app-protocol.ts).
 */
export function installContentSecurityPolicy(session: Session, page: AppPage): void {
  const policy = contentSecurityPolicy(page)
  session.webRequest.onHeadersReceived((details, callback) => {
    if ((details.resourceType !== 'mainFrame' && details.resourceType !== 'subFrame') || !isAppPageUrl(page, details.url)) {
      callback({})
      return
    }
    const headers: Record<string, string[]> = {}
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (!/^content-security-policy(-report-only)?$/i.test(name)) headers[name] = value
    }
    headers['Content-Security-Policy'] = [policy]
    headers['X-Content-Type-Options'] = ['nosniff']
    callback({ responseHeaders: headers })
  })
}

/** Permissions the app's page may use; everything else (camera, mic, geolocation, notifications...) is refused. */
const PAGE_PERMISSIONS = new Set<string>(['clipboard-sanitized-write', 'fullscreen'])

export function isPermissionAllowed(page: AppPage, permission: string, requestingUrl: string | undefined): boolean {
  return PAGE_PERMISSIONS.has(permission) && requestingUrl !== undefined && isAppPageUrl(page, requestingUrl)
}

export function installPermissionPolicy(session: Session, page: AppPage): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionAllowed(page, permission, details.requestingUrl))
  })
  session.setPermissionCheckHandler((_contents, permission, _origin, details) => isPermissionAllowed(page, permission, details.requestingUrl))
  // WebHID / WebUSB / Web Serial device pickers.
  session.setDevicePermissionHandler(() => false)
}

/**
 * Applied to every WebContents the app creates (see `app.on('web-contents-created')`):
 * the page never navigates away (a dropped file, a link, a redirect, a script), never opens a
 * window, never attaches a <webview>. A link the user opens in a new window goes to the default
 * browser when it is a plain http(s) URL; anything else is dropped.
 */
export function guardWebContents(contents: WebContents, page: AppPage, log: (message: string) => void = console.warn): void {
  contents.on('will-navigate', (event) => {
    if (isAppPageUrl(page, event.url)) return
    event.preventDefault()
    log(`navigation refused: ${redactUrl(event.url)}`)
  })
  contents.on('will-frame-navigate', (event) => {
    if (event.isMainFrame ? isAppPageUrl(page, event.url) : event.url === 'about:blank' || event.url === 'about:srcdoc') return
    event.preventDefault()
  })
  contents.on('will-redirect', (event) => {
    if (isAppPageUrl(page, event.url)) return
    event.preventDefault()
    log(`redirect refused: ${redactUrl(event.url)}`)
  })
  contents.setWindowOpenHandler(({ url }) => {
    void openExternalSafely(url).then((opened) => {
      if (!opened) log(`window.open refused: ${redactUrl(url)}`)
    })
    return { action: 'deny' }
  })
  contents.on('will-attach-webview', (event) => {
    event.preventDefault()
    log('webview refused')
  })
}

/** Logs never carry a query string (tokens) or credentials. */
function redactUrl(raw: string): string {
  try {
    const url = new URL(raw)
    return `${url.protocol}//${url.host}${url.pathname}`.slice(0, 200)
  } catch {
    return '(invalid url)'
  }
}
