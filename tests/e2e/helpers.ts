/**
 * E2E plumbing: the renderer built once per run, Debian's Chromium driven by playwright-core,
 * and real engines behind the real bridge.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { startBridge, type BridgeServer } from '../../src/main/bridge/server'
import type { Engine } from '../../src/main/engine/engine'
import { openTestEngine, until } from '../helpers/engine'

/** Page-side globals used inside page.evaluate callbacks (they run in Chromium, not in Node). */
declare const DataTransfer: any
declare const HTMLElement: any
declare const document: any

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const SCREENSHOTS = join(ROOT, 'test-artifacts/screenshots')
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]

/**
 * Build out/renderer when a source is newer than it. Test files run in parallel workers, so the
 * build is guarded by a lock directory (mkdir is atomic); the others wait for it.
 */
export async function ensureRenderer(): Promise<void> {
  const script = join(ROOT, 'scripts/build-renderer.mjs')
  const { rendererIsStale, buildRenderer } = (await import(script)) as { rendererIsStale(): boolean; buildRenderer(): Promise<void> }
  if (!rendererIsStale()) return
  const lock = join(ROOT, 'out/.renderer-build.lock')
  mkdirSync(join(ROOT, 'out'), { recursive: true })
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch {
      // Another worker builds; a lock older than 2 minutes was left by a crash.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true })
      await new Promise((r) => setTimeout(r, 250))
      if (!existsSync(lock) && !rendererIsStale()) return
    }
  }
  try {
    if (rendererIsStale()) await buildRenderer()
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
}

export async function newPage(browser: Browser, options: { locale?: string; colorScheme?: 'dark' | 'light' } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: options.locale ?? 'en-US',
    colorScheme: options.colorScheme ?? 'dark',
    acceptDownloads: true
  })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(String(e)))
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text())
  })
  return { context, page, errors }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const path = join(SCREENSHOTS, `${name}.png`)
  await page.screenshot({ path })
  return path
}

/** Drop files on the page as a user would: a real DataTransfer through dragenter/dragover/drop. */
export async function dropFiles(page: Page, selector: string, files: { name: string; mimeType: string; content: string }[]): Promise<void> {
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer()
    for (const f of list) dt.items.add(new File([f.content], f.name, { type: f.mimeType }))
    return dt
  }, files)
  for (const type of ['dragenter', 'dragover', 'drop']) {
    await page.dispatchEvent(selector, type, { dataTransfer })
  }
}

/** The jobs a queue row order shows, top to bottom (ids). */
export async function rowIds(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid="queue-row"]', (rows) =>
    rows
      .map((r) => ({ id: (r as any).dataset.jobId as string, y: r.getBoundingClientRect().top }))
      .sort((a, b) => a.y - b.y)
      .map((r) => r.id)
  )
}

/**
 * The app as a user opens it: the engine behind the real bridge (its pool running), Chromium on
 * the bridge's URL, the queue panel shown and the connection open.
 */
export async function openUi(
  engine: Engine<any>,
  viewport?: { width: number; height: number }
): Promise<{ bridge: BridgeServer; browser: Browser; page: Page; errors: string[] }> {
  const bridge = await startBridge(engine)
  engine.pool.start()
  const browser = await launchChromium()
  const { page, errors } = await newPage(browser)
  if (viewport) await page.setViewportSize(viewport)
  await page.goto(bridge.url)
  await page.waitForSelector('[data-testid="queue-panel"]')
  await page.waitForFunction(() => document.querySelector('.conn-open') !== null)
  return { bridge, browser, page, errors }
}

/** A real `studio serve` in a child process (the built CLI, its engine, offline providers). */
export interface ServedStudio {
  /** The page's address, its token in the fragment. */
  url: string
  /** What the process printed so far, stdout and stderr together. */
  output(): string
  /** SIGTERM, and SIGKILL if it has not exited within 15 s. */
  stop(): Promise<void>
}

export async function startServe(dataDir: string, options: { args?: string[]; env?: Record<string, string> } = {}): Promise<ServedStudio> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/studio.mjs'), 'serve', '--data-dir', dataDir, '--port', '0', '--concurrency', '2', ...(options.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, STUDIO_DATA_DIR: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))])
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  try {
    const url = await until(() => /http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+/.exec(output)?.[0], 60_000, `studio serve to print its URL; got: ${output}`)
    return { url, output: () => output, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/** A page on a served studio, once its connection is open. */
export async function openServed(
  browser: Browser,
  url: string,
  options: { locale?: string; viewport?: { width: number; height: number } } = {}
): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await newPage(browser, options.locale ? { locale: options.locale } : {})
  if (options.viewport) await page.setViewportSize(options.viewport)
  await page.goto(url)
  await page.waitForFunction(() => document.querySelector('.conn-open') !== null, null, { timeout: 30_000 })
  return { page, errors }
}

/**
 * The app over a test engine whose "remote" provider is down for the whole file (a long cooldown:
 * no half-open trial turns a waiting job back to processing while a test measures it).
 */
export async function openUiProviderDown(viewport: { width: number; height: number }): Promise<{
  engine: Engine<any>
  bridge: BridgeServer
  browser: Browser
  page: Page
  close(): Promise<void>
}> {
  const engine = openTestEngine({ breaker: { failureThreshold: 1, cooldownMs: 60_000, maxCooldownMs: 60_000 } })
  writeFileSync(join(engine.dataDir, 'flaky.down'), '')
  const { bridge, browser, page } = await openUi(engine, viewport)
  const close = async () => {
    await browser.close()
    await bridge.close()
    rmSync(join(engine.dataDir, 'flaky.down'), { force: true })
    await engine.close(0)
  }
  return { engine, bridge, browser, page, close }
}
