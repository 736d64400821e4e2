/**
 * E2E plumbing: the renderer built once per run, Debian's Chromium driven by playwright-core,
 * and real engines behind the real bridge.
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { startBridge, type BridgeServer } from '../../src/main/bridge/server'
import type { Engine } from '../../src/main/engine/engine'

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
