/**
 * Electron's security checklist, item by item, on the window and session the real main process
 * creates (booted against the electron double).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { appPageFrom, isAppPageUrl } from '../../src/main/desktop/app-page'
import { contentSecurityPolicy } from '../../src/main/desktop/security'
import { electron } from '../helpers/electron-double'
import { useDesktop } from './boot'

vi.mock('electron', async () => (await import('../helpers/electron-double')).electronModule())

describe('security checklist', () => {
  const booted = useDesktop()

  it('the window: context isolation, sandbox, no Node, web security, no webview, no drag-and-drop navigation', () => {
    const options = booted.win.options
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false
    })
    // `remote` was removed from Electron; nothing may bring it back.
    expect(options.webPreferences).not.toHaveProperty('enableRemoteModule')
    expect(options.webPreferences).not.toHaveProperty('enableBlinkFeatures')
    expect(options.webPreferences.preload).toMatch(/preload[\\/]index\.cjs$/)
    expect(options.show).toBe(false)
  })

  it('no @electron/remote and no insecure switches anywhere in main or preload', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name)
        return statSync(path).isDirectory() ? files(path) : /\.(ts|mts)$/.test(name) ? [path] : []
      })
    const offenders = [...files('src/main'), ...files('src/preload')].filter((file) => {
      // Code only: comments may name what we do not do.
      const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '')
      return /@electron\/remote|enableRemoteModule\s*:\s*true|nodeIntegration\s*:\s*true|contextIsolation\s*:\s*false|sandbox\s*:\s*false|webSecurity\s*:\s*false|allowRunningInsecureContent\s*:\s*true|--no-sandbox|disable-web-security/.test(text)
    })
    expect(offenders).toEqual([])
  })

  it('only the desktop glue imports electron: the API handlers, engine, bridge and shared code stay transport-neutral', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name)
        return statSync(path).isDirectory() ? files(path) : /\.(ts|tsx|mts)$/.test(name) ? [path] : []
      })
    const importers = [...files('src/main'), ...files('src/shared'), ...files('src/preload'), ...files('src/cli')]
      .filter((file) => /from ['"]electron['"]|require\(['"]electron['"]\)|import\(['"]electron['"]\)/.test(readFileSync(file, 'utf8')))
      .map((file) => file.split(/[\\/]/).join('/'))
    expect(importers.length).toBeGreaterThan(5)
    expect(importers.filter((f) => !(f === 'src/main/index.ts' || f.startsWith('src/main/desktop/') || f === 'src/preload/index.ts'))).toEqual([])
  })

  it('the window loads our built index.html and is shown only once painted', () => {
    expect(booted.win.webContents.getURL()).toBe(booted.appUrl)
    expect(electron.callsTo('webContents.loadURL')).toHaveLength(1)
    expect(booted.win.isVisible()).toBe(false)
    booted.win.becomeReady()
    expect(booted.win.isVisible()).toBe(true)
  })

  it('a strict CSP is set as a response header on the app page (and only there)', async () => {
    const session = electron.session.defaultSession
    const page = await session.receiveHeaders({ url: booted.appUrl, resourceType: 'mainFrame', responseHeaders: { 'content-security-policy': ["default-src *"] } })
    const csp = page.responseHeaders['Content-Security-Policy'][0] as string
    expect(csp).toBe(contentSecurityPolicy(booted.desktop.page))
    // A weaker policy from elsewhere cannot ride along.
    expect(Object.keys(page.responseHeaders).filter((h) => h.toLowerCase() === 'content-security-policy')).toHaveLength(1)
    expect(page.responseHeaders['X-Content-Type-Options']).toEqual(['nosniff'])

    const other = await session.receiveHeaders({ url: 'https://example.com/', resourceType: 'mainFrame' })
    expect(other).toEqual({})
    const script = await session.receiveHeaders({ url: booted.appUrl.replace('index.html', 'assets/index.js'), resourceType: 'script' })
    expect(script).toEqual({})
  })

  it('the CSP: scripts from the app only, no eval, no inline script, no plugins, frames, forms or <base>; media from studio-file:', () => {
    const csp = contentSecurityPolicy(booted.desktop.page)
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]))
    expect(directives['default-src']).toEqual(["'none'"])
    expect(directives['script-src']).toEqual(["'self'"])
    expect(csp).not.toContain('unsafe-eval')
    expect(directives['object-src']).toEqual(["'none'"])
    expect(directives['frame-src']).toEqual(["'none'"])
    expect(directives['base-uri']).toEqual(["'none'"])
    expect(directives['form-action']).toEqual(["'none'"])
    expect(directives['frame-ancestors']).toEqual(["'none'"])
    expect(directives['img-src']).toContain('studio-file:')
    expect(directives['media-src']).toContain('studio-file:')
    expect(directives['connect-src']).not.toContain('*')
    expect(directives['connect-src']).not.toContain('http:')
  })

  it('the dev server CSP allows only what Vite needs: its own origin, the HMR socket, the refresh preamble', () => {
    const page = appPageFrom({ devServerUrl: 'http://localhost:5173', rendererIndexHtml: '/x/index.html', packaged: false })
    const csp = contentSecurityPolicy(page)
    expect(csp).toContain("connect-src 'self' studio-file: ws://localhost:5173")
    expect(csp).not.toContain('unsafe-eval')
    // A packaged app never trusts ELECTRON_RENDERER_URL.
    expect(appPageFrom({ devServerUrl: 'http://evil.example', rendererIndexHtml: '/x/index.html', packaged: true })).toEqual({ kind: 'app', rendererDir: '/x', url: 'app://studio/index.html' })
  })

  it('permissions are denied by default; only clipboard write and fullscreen, and only for our page', async () => {
    const session = electron.session.defaultSession
    for (const permission of ['media', 'geolocation', 'notifications', 'midiSysex', 'openExternal', 'display-capture', 'pointerLock', 'clipboard-read', 'fileSystem', 'unknown']) {
      expect(await session.requestPermission(permission, booted.appUrl)).toBe(false)
      expect(session.checkPermission(permission, booted.appUrl)).toBe(false)
    }
    expect(await session.requestPermission('fullscreen', booted.appUrl)).toBe(true)
    expect(await session.requestPermission('clipboard-sanitized-write', booted.appUrl)).toBe(true)
    expect(await session.requestPermission('fullscreen', 'https://evil.example/')).toBe(false)
    expect(session.checkPermission('clipboard-sanitized-write', 'https://evil.example/')).toBe(false)
    expect(session.devicePermissionHandler?.({})).toBe(false)
  })

  it('every WebContents the app creates is guarded (navigation, window.open, webview)', () => {
    const contents = booted.win.webContents
    expect(contents.listenerCount('will-navigate')).toBeGreaterThan(0)
    expect(contents.listenerCount('will-redirect')).toBeGreaterThan(0)
    expect(contents.listenerCount('will-attach-webview')).toBeGreaterThan(0)
    expect(contents.windowOpenHandler).not.toBeNull()
  })

  it('the app page is exactly our index.html', () => {
    const page = booted.desktop.page
    expect(isAppPageUrl(page, booted.appUrl)).toBe(true)
    expect(isAppPageUrl(page, booted.appUrl + '#/queue?x=1')).toBe(true)
    expect(isAppPageUrl(page, booted.appUrl.replace('index.html', 'index.html.bak'))).toBe(false)
    expect(isAppPageUrl(page, booted.appUrl.replace('/index.html', '/../evil/index.html'))).toBe(false)
    expect(isAppPageUrl(page, booted.appUrl.replace('/index.html', '/sub/index.html'))).toBe(false)
    expect(isAppPageUrl(page, 'not a url')).toBe(false)
  })
})
