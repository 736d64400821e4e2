/**
 * A test double of the `electron` module, for main-process and preload code under vitest. The
 * Electron binary cannot be installed here, so nothing may launch it; this stands in for it.
 * It records every call, behaves like Electron where our code depends on it (events can be
 * prevented, quitting emits before-quit, closing a window emits close/closed/window-all-closed,
 * ipcMain refuses a second handler for a channel), and lets a test play the user or an attacker
 * (navigate, open a window, call IPC from any frame, fetch a protocol URL).
 * Covered: app, BrowserWindow (+ webContents, frames), ipcMain, ipcRenderer, contextBridge,
 * session, protocol, shell, dialog, Notification, Tray, Menu, nativeImage, safeStorage,
 * powerSaveBlocker, powerMonitor, webUtils.
 *
 *   vi.mock('electron', async () => (await import('../helpers/electron-double')).electronModule())
 *   import { electron } from '../helpers/electron-double'   // same instance: inspect and drive it
 *   beforeEach(() => electron.reset())
 *
 * Everything is a singleton whose state `reset()` clears in place, because the code under test
 * holds the references it imported.
 */
import { EventEmitter } from 'node:events'
import { existsSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

export interface Call {
  api: string
  args: unknown[]
}

const calls: Call[] = []
function record(api: string, ...args: unknown[]): void {
  calls.push({ api, args })
}

/** An Electron-style event: `preventDefault()` sets `defaultPrevented`. */
export interface DoubleEvent {
  defaultPrevented: boolean
  preventDefault(): void
  [key: string]: unknown
}
export function makeEvent(fields: Record<string, unknown> = {}): DoubleEvent {
  const event: DoubleEvent = {
    ...fields,
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true
    }
  }
  return event
}

// ------------------------------------------------------------------------------------ frames

let nextId = 1

export class WebFrameDouble {
  readonly routingId = nextId++
  readonly processId = 1
  readonly frames: WebFrameDouble[] = []
  detached = false
  constructor(
    public url: string,
    public parent: WebFrameDouble | null = null
  ) {
    parent?.frames.push(this)
  }
  get top(): WebFrameDouble {
    return this.parent ? this.parent.top : this
  }
  get origin(): string {
    try {
      return new URL(this.url).origin
    } catch {
      return 'null'
    }
  }
}

// ------------------------------------------------------------------------------- webContents

export class WebContentsDouble extends EventEmitter {
  readonly id = nextId++
  readonly mainFrame = new WebFrameDouble('about:blank')
  readonly sent: { channel: string; args: unknown[] }[] = []
  windowOpenHandler: ((details: { url: string; frameName: string; features: string; disposition: string; referrer: unknown }) => { action: 'allow' | 'deny' }) | null = null
  destroyed = false
  devToolsOpened = false

  constructor(readonly session: SessionDouble) {
    super()
  }

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('double: send on a destroyed webContents')
    record('webContents.send', channel, ...args)
    this.sent.push({ channel, args })
  }
  setWindowOpenHandler(handler: WebContentsDouble['windowOpenHandler']): void {
    record('webContents.setWindowOpenHandler')
    this.windowOpenHandler = handler
  }
  loadURL(url: string): Promise<void> {
    record('webContents.loadURL', url)
    this.mainFrame.url = url
    return Promise.resolve()
  }
  loadFile(path: string): Promise<void> {
    return this.loadURL(pathToFileURL(path).href)
  }
  getURL(): string {
    return this.mainFrame.url
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  openDevTools(): void {
    this.devToolsOpened = true
  }
  getType(): string {
    return 'window'
  }

  // ---- what a page (or an attacker in it) can attempt; each returns whether it was refused.

  /** The page (a link, a script, a dropped file) tries to navigate the top frame. */
  attemptNavigation(url: string): boolean {
    const event = makeEvent({ url, isMainFrame: true, isSameDocument: false, frame: this.mainFrame, initiator: this.mainFrame })
    this.emit('will-frame-navigate', event)
    const second = makeEvent({ url, isMainFrame: true, isSameDocument: false, frame: this.mainFrame, initiator: this.mainFrame })
    this.emit('will-navigate', second, url, false, true, 1, this.mainFrame.routingId)
    return event.defaultPrevented || second.defaultPrevented
  }
  /** A subframe tries to navigate itself. */
  attemptFrameNavigation(frame: WebFrameDouble, url: string): boolean {
    const event = makeEvent({ url, isMainFrame: frame.parent === null, isSameDocument: false, frame, initiator: frame })
    this.emit('will-frame-navigate', event)
    return event.defaultPrevented
  }
  attemptRedirect(url: string): boolean {
    const event = makeEvent({ url, isMainFrame: true, isSameDocument: false, frame: this.mainFrame })
    this.emit('will-redirect', event, url, false, true, 1, this.mainFrame.routingId)
    return event.defaultPrevented
  }
  /** `window.open(url)` or a target=_blank link: the handler's answer. */
  attemptWindowOpen(url: string, disposition = 'foreground-tab'): { action: 'allow' | 'deny' } {
    if (!this.windowOpenHandler) return { action: 'allow' }
    return this.windowOpenHandler({ url, frameName: '', features: '', disposition, referrer: { url: this.mainFrame.url, policy: 'strict-origin-when-cross-origin' } })
  }
  attemptAttachWebview(src: string): boolean {
    const event = makeEvent()
    const webPreferences: Record<string, unknown> = { nodeIntegration: true }
    this.emit('will-attach-webview', event, webPreferences, { src })
    return event.defaultPrevented
  }
  /** An iframe inside the page. */
  addSubframe(url: string): WebFrameDouble {
    return new WebFrameDouble(url, this.mainFrame)
  }
}

// ------------------------------------------------------------------------------------ window

export class BrowserWindowDouble extends EventEmitter {
  static readonly all = new Set<BrowserWindowDouble>()
  static getAllWindows(): BrowserWindowDouble[] {
    return [...BrowserWindowDouble.all]
  }
  static getFocusedWindow(): BrowserWindowDouble | null {
    return [...BrowserWindowDouble.all].find((w) => w.focused) ?? null
  }
  static fromWebContents(contents: WebContentsDouble): BrowserWindowDouble | null {
    return [...BrowserWindowDouble.all].find((w) => w.webContents === contents) ?? null
  }

  readonly id = nextId++
  readonly webContents: WebContentsDouble
  readonly progress: { value: number; options: unknown }[] = []
  visible = false
  focused = false
  minimized = false
  destroyed = false
  title: string

  constructor(readonly options: Record<string, any> = {}) {
    super()
    record('BrowserWindow.new', options)
    this.title = String(options.title ?? '')
    this.visible = options.show !== false
    this.webContents = new WebContentsDouble(session.defaultSession)
    BrowserWindowDouble.all.add(this)
    app.emit('web-contents-created', makeEvent(), this.webContents)
  }

  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url)
  }
  loadFile(path: string): Promise<void> {
    return this.webContents.loadFile(path)
  }
  show(): void {
    record('BrowserWindow.show')
    this.visible = true
  }
  hide(): void {
    record('BrowserWindow.hide')
    this.visible = false
    this.focused = false
  }
  focus(): void {
    this.focused = true
  }
  restore(): void {
    this.minimized = false
  }
  minimize(): void {
    this.minimized = true
  }
  isMinimized(): boolean {
    return this.minimized
  }
  isVisible(): boolean {
    return this.visible
  }
  isFocused(): boolean {
    return this.focused
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  setTitle(title: string): void {
    this.title = title
  }
  setProgressBar(value: number, options?: unknown): void {
    record('BrowserWindow.setProgressBar', value, options)
    this.progress.push({ value, options })
  }
  /** The user (or app.quit) closes the window: `close` can be prevented; then `closed`. */
  close(): boolean {
    if (this.destroyed) return true
    const event = makeEvent()
    this.emit('close', event)
    if (event.defaultPrevented) return false
    this.destroy()
    return true
  }
  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    this.visible = false
    this.webContents.destroyed = true
    BrowserWindowDouble.all.delete(this)
    this.emit('closed')
    if (BrowserWindowDouble.all.size === 0) app.emit('window-all-closed')
  }
  /** Fire `ready-to-show` as Chromium would after the first paint. */
  becomeReady(): void {
    this.emit('ready-to-show')
  }
}

// ----------------------------------------------------------------------------------- session

type HeadersListener = (details: Record<string, any>, callback: (response: Record<string, any>) => void) => void

export class SessionDouble {
  headersListener: HeadersListener | null = null
  permissionRequestHandler: ((...args: any[]) => void) | null = null
  permissionCheckHandler: ((...args: any[]) => boolean) | null = null
  devicePermissionHandler: ((...args: any[]) => boolean) | null = null

  readonly webRequest = {
    onHeadersReceived: (filterOrListener: unknown, maybeListener?: unknown) => {
      record('session.webRequest.onHeadersReceived')
      this.headersListener = (typeof filterOrListener === 'function' ? filterOrListener : maybeListener) as HeadersListener
    }
  }

  setPermissionRequestHandler(handler: SessionDouble['permissionRequestHandler']): void {
    record('session.setPermissionRequestHandler')
    this.permissionRequestHandler = handler
  }
  setPermissionCheckHandler(handler: SessionDouble['permissionCheckHandler']): void {
    record('session.setPermissionCheckHandler')
    this.permissionCheckHandler = handler
  }
  setDevicePermissionHandler(handler: SessionDouble['devicePermissionHandler']): void {
    this.devicePermissionHandler = handler
  }

  /** What the headers listener does to a response (resolves with what it handed back). */
  receiveHeaders(details: { url: string; resourceType: string; responseHeaders?: Record<string, string[]> }): Promise<Record<string, any>> {
    const listener = this.headersListener
    if (!listener) return Promise.resolve({})
    return new Promise((resolve) => listener({ id: 1, method: 'GET', referrer: '', timestamp: 0, statusLine: 'HTTP/1.1 200 OK', statusCode: 200, ...details }, resolve))
  }
  /** Ask the permission request handler; resolves with its decision (false when none is set: Electron's default is allow!). */
  requestPermission(permission: string, requestingUrl: string, contents: unknown = null): Promise<boolean> {
    const handler = this.permissionRequestHandler
    if (!handler) return Promise.resolve(true)
    return new Promise((resolve) => handler(contents, permission, resolve, { requestingUrl, isMainFrame: true }))
  }
  checkPermission(permission: string, requestingUrl: string): boolean {
    const handler = this.permissionCheckHandler
    if (!handler) return true
    return handler(null, permission, new URL(requestingUrl).origin, { requestingUrl, isMainFrame: true })
  }

  reset(): void {
    this.headersListener = null
    this.permissionRequestHandler = null
    this.permissionCheckHandler = null
    this.devicePermissionHandler = null
  }
}

export const session = {
  defaultSession: new SessionDouble(),
  fromPartition: (): SessionDouble => session.defaultSession
}

// ----------------------------------------------------------------------------------------- app

class AppDouble extends EventEmitter {
  isPackaged = false
  name = 'Creative Studio'
  readonly paths = new Map<string, string>()
  singleInstanceLock = true
  /** Like a real app at startup: not ready until `becomeReady()`. */
  ready = false
  quitRequests = 0
  quitted = false
  exitCode: number | null = null
  badgeCount = 0
  appUserModelId: string | null = null
  private readyWaiters: (() => void)[] = []

  getPath(name: string): string {
    const path = this.paths.get(name)
    if (!path) throw new Error(`double: app.getPath('${name}') was not set by the test`)
    return path
  }
  setPath(name: string, path: string): void {
    record('app.setPath', name, path)
    this.paths.set(name, path)
  }
  getName(): string {
    return this.name
  }
  getVersion(): string {
    return '0.0.0-test'
  }
  getAppPath(): string {
    return process.cwd()
  }
  isReady(): boolean {
    return this.ready
  }
  whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve()
    return new Promise((resolve) => this.readyWaiters.push(resolve))
  }
  /** Make a not-yet-ready app ready (tests that check what happens before `ready`). */
  becomeReady(): void {
    this.ready = true
    this.emit('ready')
    for (const resolve of this.readyWaiters.splice(0)) resolve()
  }
  requestSingleInstanceLock(): boolean {
    record('app.requestSingleInstanceLock')
    return this.singleInstanceLock
  }
  /** Like Electron: `before-quit` (preventable), then windows close, then `will-quit` and `quit`. */
  quit(): void {
    record('app.quit')
    this.quitRequests++
    const event = makeEvent()
    this.emit('before-quit', event)
    if (event.defaultPrevented) return
    for (const win of BrowserWindowDouble.getAllWindows()) {
      if (!win.close()) return
    }
    const willQuit = makeEvent()
    this.emit('will-quit', willQuit)
    if (willQuit.defaultPrevented) return
    this.quitted = true
    this.emit('quit', makeEvent(), 0)
  }
  exit(code = 0): void {
    record('app.exit', code)
    this.exitCode = code
  }
  setBadgeCount(count: number): boolean {
    this.badgeCount = count
    return true
  }
  setAppUserModelId(id: string): void {
    this.appUserModelId = id
  }
  focus(): void {}

  reset(): void {
    this.removeAllListeners()
    this.isPackaged = false
    this.paths.clear()
    this.singleInstanceLock = true
    this.ready = false
    this.quitRequests = 0
    this.quitted = false
    this.exitCode = null
    this.badgeCount = 0
    this.appUserModelId = null
    this.readyWaiters = []
  }
}
export const app = new AppDouble()

// ---------------------------------------------------------------------------------------- ipc

type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown

class IpcMainDouble extends EventEmitter {
  readonly handlers = new Map<string, InvokeHandler>()
  handle(channel: string, handler: InvokeHandler): void {
    record('ipcMain.handle', channel)
    // Electron throws on a second handler for one channel.
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.handlers.set(channel, handler)
  }
  handleOnce(channel: string, handler: InvokeHandler): void {
    this.handle(channel, handler)
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }
  /** What `ipcRenderer.invoke(channel, ...args)` from `frame` would get back. */
  async invokeFrom(frame: WebFrameDouble | null, channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel)
    if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`)
    const event = { senderFrame: frame, frameId: frame?.routingId ?? -1, processId: frame?.processId ?? -1, sender: null }
    return handler(event, ...structuredClone(args))
  }
  reset(): void {
    this.handlers.clear()
    this.removeAllListeners()
  }
}
export const ipcMain = new IpcMainDouble()

class IpcRendererDouble extends EventEmitter {
  readonly invoked: { channel: string; args: unknown[] }[] = []
  /** What main answers to an invoke (default: an ok Result echoing the channel). */
  reply: (channel: string, args: unknown[]) => unknown = (channel) => ({ ok: true, value: channel })
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    record('ipcRenderer.invoke', channel, ...args)
    this.invoked.push({ channel, args })
    return Promise.resolve(this.reply(channel, args))
  }
  send(channel: string, ...args: unknown[]): void {
    record('ipcRenderer.send', channel, ...args)
  }
  /** Main pushes a message to this renderer. */
  push(channel: string, ...args: unknown[]): void {
    this.emit(channel, { sender: this, ports: [] }, ...args)
  }
  reset(): void {
    this.invoked.length = 0
    this.removeAllListeners()
    this.reply = (channel) => ({ ok: true, value: channel })
  }
}
export const ipcRenderer = new IpcRendererDouble()

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    record('contextBridge.exposeInMainWorld', key)
    if (contextBridge.exposed.has(key)) throw new Error(`Cannot bind an API on top of an existing property on the window object: ${key}`)
    contextBridge.exposed.set(key, api)
  }
}

// ----------------------------------------------------------------------------------- protocol

type ProtocolHandler = (request: Request) => Response | Promise<Response>

export const protocol = {
  privileged: [] as { scheme: string; privileges?: Record<string, boolean> }[],
  handlers: new Map<string, ProtocolHandler>(),
  registerSchemesAsPrivileged(schemes: { scheme: string; privileges?: Record<string, boolean> }[]): void {
    record('protocol.registerSchemesAsPrivileged', schemes)
    if (app.ready) throw new Error('double: protocol.registerSchemesAsPrivileged must be called before app is ready')
    // Electron: "can be called only once"; a second call would silently replace the first.
    if (protocol.privileged.length) throw new Error('double: protocol.registerSchemesAsPrivileged can be called only once')
    protocol.privileged.push(...schemes)
  },
  handle(scheme: string, handler: ProtocolHandler): void {
    record('protocol.handle', scheme)
    if (protocol.handlers.has(scheme)) throw new Error(`double: protocol ${scheme} is already handled`)
    protocol.handlers.set(scheme, handler)
  },
  unhandle(scheme: string): void {
    protocol.handlers.delete(scheme)
  },
  isProtocolHandled(scheme: string): boolean {
    return protocol.handlers.has(scheme)
  },
  /** What the page gets for `url` (as <img src>, <video src> or fetch). */
  async fetch(url: string, init?: RequestInit): Promise<Response> {
    const scheme = new URL(url).protocol.slice(0, -1)
    const handler = protocol.handlers.get(scheme)
    if (!handler) throw new Error(`double: no handler for ${scheme}:`)
    return handler(new Request(url, init))
  }
}

// --------------------------------------------------------------------------- shell, dialogs

export const shell = {
  opened: [] as string[],
  revealed: [] as string[],
  openedPaths: [] as string[],
  openExternal(url: string, options?: unknown): Promise<void> {
    record('shell.openExternal', url, options)
    shell.opened.push(url)
    return Promise.resolve()
  },
  showItemInFolder(path: string): void {
    record('shell.showItemInFolder', path)
    shell.revealed.push(path)
  },
  openPath(path: string): Promise<string> {
    record('shell.openPath', path)
    shell.openedPaths.push(path)
    return Promise.resolve('')
  }
}

export const dialog = {
  errors: [] as { title: string; content: string }[],
  showErrorBox(title: string, content: string): void {
    record('dialog.showErrorBox', title, content)
    dialog.errors.push({ title, content })
  },
  showMessageBox: (...args: unknown[]): Promise<{ response: number; checkboxChecked: boolean }> => {
    record('dialog.showMessageBox', ...args)
    return Promise.resolve({ response: 0, checkboxChecked: false })
  },
  /** What the next save dialogs answer, in order (the user's choice); none queued = cancelled. */
  saveAnswers: [] as { canceled: boolean; filePath?: string }[],
  showSaveDialog: (...args: unknown[]): Promise<{ canceled: boolean; filePath?: string }> => {
    record('dialog.showSaveDialog', ...args)
    return Promise.resolve(dialog.saveAnswers.shift() ?? { canceled: true })
  },
  /** What the next open dialogs answer, in order; none queued = cancelled. */
  openAnswers: [] as { canceled: boolean; filePaths: string[] }[],
  showOpenDialog: (...args: unknown[]): Promise<{ canceled: boolean; filePaths: string[] }> => {
    record('dialog.showOpenDialog', ...args)
    return Promise.resolve(dialog.openAnswers.shift() ?? { canceled: true, filePaths: [] })
  }
}

// ---------------------------------------------------------------------- notifications, tray

export class NotificationDouble extends EventEmitter {
  static supported = true
  static readonly shown: NotificationDouble[] = []
  static isSupported(): boolean {
    return NotificationDouble.supported
  }
  constructor(readonly options: { title?: string; body?: string } = {}) {
    super()
  }
  show(): void {
    record('Notification.show', this.options)
    NotificationDouble.shown.push(this)
  }
  close(): void {
    this.emit('close')
  }
  /** The user clicks it. */
  click(): void {
    this.emit('click', makeEvent())
  }
}

export interface MenuItemTemplate {
  id?: string
  label?: string
  role?: string
  type?: string
  checked?: boolean
  enabled?: boolean
  accelerator?: string
  submenu?: MenuItemTemplate[] | MenuDouble
  click?: (item: any, win?: unknown, event?: unknown) => void
}

export class MenuDouble {
  static applicationMenu: MenuDouble | null = null
  static buildFromTemplate(template: MenuItemTemplate[]): MenuDouble {
    return new MenuDouble(template)
  }
  static setApplicationMenu(menu: MenuDouble | null): void {
    record('Menu.setApplicationMenu')
    MenuDouble.applicationMenu = menu
  }
  static getApplicationMenu(): MenuDouble | null {
    return MenuDouble.applicationMenu
  }
  constructor(readonly items: MenuItemTemplate[]) {}
  /** Depth-first search by id, label or role. */
  find(key: string): MenuItemTemplate | undefined {
    const walk = (items: MenuItemTemplate[]): MenuItemTemplate | undefined => {
      for (const item of items) {
        if (item.id === key || item.label === key || item.role === key) return item
        const sub = item.submenu instanceof MenuDouble ? item.submenu.items : item.submenu
        const found = sub ? walk(sub) : undefined
        if (found) return found
      }
      return undefined
    }
    return walk(this.items)
  }
  /** The user picks an item (a checkbox flips first, as in Electron). */
  click(key: string): void {
    const item = this.find(key)
    if (!item) throw new Error(`double: no menu item ${key}`)
    if (item.type === 'checkbox') item.checked = !item.checked
    item.click?.(item, undefined, {})
  }
  popup(): void {}
}

export class TrayDouble extends EventEmitter {
  static readonly instances: TrayDouble[] = []
  tooltip = ''
  contextMenu: MenuDouble | null = null
  destroyed = false
  constructor(readonly image: unknown) {
    super()
    record('Tray.new', image)
    TrayDouble.instances.push(this)
  }
  setToolTip(text: string): void {
    this.tooltip = text
  }
  setContextMenu(menu: MenuDouble | null): void {
    this.contextMenu = menu
  }
  setImage(): void {}
  setTitle(): void {}
  destroy(): void {
    this.destroyed = true
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
}

export const nativeImage = {
  createFromPath(path: string) {
    return {
      path,
      template: false,
      isEmpty: () => !existsSync(path),
      setTemplateImage(flag: boolean) {
        this.template = flag
      },
      resize() {
        return this
      }
    }
  },
  createEmpty() {
    return nativeImage.createFromPath('')
  }
}

// ---------------------------------------------------------------------------- powerSaveBlocker

export const powerSaveBlocker = {
  active: new Map<number, string>(),
  nextId: 1,
  start(type: string): number {
    record('powerSaveBlocker.start', type)
    const id = powerSaveBlocker.nextId++
    powerSaveBlocker.active.set(id, type)
    return id
  },
  stop(id: number): boolean {
    record('powerSaveBlocker.stop', id)
    return powerSaveBlocker.active.delete(id)
  },
  isStarted(id: number): boolean {
    return powerSaveBlocker.active.has(id)
  }
}

// ------------------------------------------------------------------------------ powerMonitor

class PowerMonitorDouble extends EventEmitter {
  /** The OS announces a shutdown or restart (macOS, Linux); returns the event, to see whether the app asked it to wait. */
  systemShutdown(): DoubleEvent {
    const event = makeEvent()
    this.emit('shutdown', event)
    return event
  }
  reset(): void {
    this.removeAllListeners()
  }
}
export const powerMonitor = new PowerMonitorDouble()

// -------------------------------------------------------------------------------- safeStorage

/**
 * A stand-in cipher: reversible, never contains the clear text, fails on tampering. It proves
 * our code stores what safeStorage returns, not that the OS keychain is strong.
 */
export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret' as 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown',
  isEncryptionAvailable(): boolean {
    return safeStorage.available
  },
  getSelectedStorageBackend() {
    return safeStorage.backend
  },
  encryptString(plain: string): Buffer {
    record('safeStorage.encryptString')
    if (!safeStorage.available) throw new Error('Error while encrypting the text provided to safeStorage.encryptString. Encryption is not available.')
    const bytes = Buffer.from(plain, 'utf8')
    return Buffer.concat([Buffer.from('v10'), Buffer.from(bytes.map((b, i) => b ^ (0x5a + (i % 7))))])
  },
  decryptString(cipher: Buffer): string {
    record('safeStorage.decryptString')
    if (!safeStorage.available) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString. Decryption is not available.')
    if (cipher.subarray(0, 3).toString() !== 'v10') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.')
    return Buffer.from(cipher.subarray(3).map((b, i) => b ^ (0x5a + (i % 7)))).toString('utf8')
  }
}

// ---------------------------------------------------------------------------------- webUtils

/**
 * Like Electron, a File has a path only if the user dropped or picked it: the test plays that by
 * registering one (`electron.webUtils.pathOf.set(file, '/x/clip.mp4')`); any other File (one the
 * page built with `new File(...)`) gets ''. Anything that is not a File throws, as in Electron.
 */
export const webUtils = {
  pathOf: new WeakMap<object, string>(),
  getPathForFile(file: unknown): string {
    record('webUtils.getPathForFile', file)
    if (!(file instanceof File)) throw new TypeError('Error processing argument at index 0, conversion failure from ' + typeof file)
    return webUtils.pathOf.get(file) ?? ''
  }
}

// ---------------------------------------------------------------------------------- assembly

/** What the real `electron` module exports that the app uses. */
const electronApi = {
  app,
  BrowserWindow: BrowserWindowDouble,
  ipcMain,
  ipcRenderer,
  contextBridge,
  session,
  protocol,
  shell,
  dialog,
  Notification: NotificationDouble,
  Tray: TrayDouble,
  Menu: MenuDouble,
  nativeImage,
  safeStorage,
  powerSaveBlocker,
  powerMonitor,
  webUtils
}

export const electron = {
  ...electronApi,
  calls,
  /** Calls recorded for one API (`'shell.openExternal'`). */
  callsTo(api: string): Call[] {
    return calls.filter((c) => c.api === api)
  },
  /** Forget everything: call in beforeEach. */
  reset(): void {
    calls.length = 0
    app.reset()
    ipcMain.reset()
    ipcRenderer.reset()
    contextBridge.exposed.clear()
    session.defaultSession.reset()
    protocol.privileged.length = 0
    protocol.handlers.clear()
    shell.opened.length = 0
    shell.revealed.length = 0
    shell.openedPaths.length = 0
    dialog.errors.length = 0
    dialog.saveAnswers.length = 0
    dialog.openAnswers.length = 0
    for (const win of BrowserWindowDouble.getAllWindows()) {
      win.removeAllListeners()
      win.destroyed = true
    }
    BrowserWindowDouble.all.clear()
    NotificationDouble.supported = true
    NotificationDouble.shown.length = 0
    TrayDouble.instances.length = 0
    MenuDouble.applicationMenu = null
    safeStorage.available = true
    safeStorage.backend = 'gnome_libsecret'
    powerSaveBlocker.active.clear()
    powerMonitor.reset()
    webUtils.pathOf = new WeakMap()
  }
}

/** The module object for `vi.mock('electron', ...)`: named exports plus a default, like the real one. */
export function electronModule(): Record<string, unknown> {
  const mod = { ...electronApi }
  return { ...mod, default: mod }
}
