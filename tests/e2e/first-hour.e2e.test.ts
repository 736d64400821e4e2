/**
 * What a new user sees in the served page (`studio serve`'s bridge, real engine, Debian's
 * Chromium): the app's icon, and short labels that stay on one line ("Waiting for provider",
 * "When resumed", the queue dock's ×) in English and French.
 */
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BridgeServer } from '../../src/main/bridge/server'
import type { Engine } from '../../src/main/engine/engine'
import { until } from '../helpers/engine'
import { ensureRenderer, openUiProviderDown, screenshot } from './helpers'

/** Used inside evaluate callbacks, which run in Chromium. */
declare const document: any

let engine: Engine<any>
let bridge: BridgeServer
let page: Page
let ui: Awaited<ReturnType<typeof openUiProviderDown>> | undefined

beforeAll(async () => {
  await ensureRenderer()
  ui = await openUiProviderDown({ width: 1280, height: 800 })
  ;({ engine, bridge, page } = ui)
}, 120_000)

afterAll(async () => {
  await ui?.close()
})

/** How many lines an element's text takes (distinct line boxes of its text nodes; the status dot is not text). */
async function lines(el: Locator): Promise<number> {
  return el.evaluate((node) => {
    const tops = new Set<number>()
    const walker = document.createTreeWalker(node, 4 /* NodeFilter.SHOW_TEXT */)
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      if (!text.textContent.trim()) continue
      const range = document.createRange()
      range.selectNodeContents(text)
      for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top))
    }
    return tops.size
  })
}

describe('the served page', () => {
  it('has a favicon and the app icon: /favicon.ico and the <link rel="icon"> both answer with an image', async () => {
    const ico = await fetch(new URL('/favicon.ico', bridge.url))
    expect(ico.status).toBe(200)
    expect(ico.headers.get('content-type')).toBe('image/x-icon')
    expect(Buffer.from(await ico.arrayBuffer()).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0])) // an ICO file
    const href = await page.evaluate(() => document.querySelector('link[rel="icon"]')?.href as string | undefined)
    expect(href).toBeTruthy()
    const icon = await fetch(href!)
    expect(icon.status).toBe(200)
    expect(icon.headers.get('content-type')).toMatch(/^image\//)
  })

  it('"Waiting for provider", "When resumed" and the dock\'s × stay on one line, in English and French', async () => {
    for (let i = 0; i < 3; i++) engine.queue.enqueue({ type: 'remote', title: `Needs the provider ${i + 1}`, input: {} })
    const waiting = page.locator('[data-testid="queue-row"][data-status="waiting"]').first()
    await waiting.waitFor({ timeout: 20_000 })
    // A paused queue: every queued job's ETA reads "When resumed".
    engine.queue.setQueuePaused(true)
    await until(() => engine.queue.isPaused(), 5_000)
    for (const [lang, status, eta] of [
      ['en', 'Waiting for provider', 'When resumed'],
      ['fr', 'Attend le fournisseur', 'À la reprise']
    ] as const) {
      await page.click('[data-testid="nav-queue"]')
      await waiting.locator('.status', { hasText: status }).waitFor()
      await waiting.locator('.eta', { hasText: eta }).waitFor()
      await screenshot(page, `first-hour-queue-${lang}`)
      expect({ status: await lines(waiting.locator('.status')), eta: await lines(waiting.locator('.eta')) }).toEqual({ status: 1, eta: 1 })

      // The queue docked beside a project, running (its toolbar's longest labels): its × stays on the header's line.
      engine.queue.setQueuePaused(false)
      await page.click('[data-testid="nav-projects"]')
      await page.waitForFunction(() => !document.querySelector('.queue-compact [data-testid="queue-toggle"]')?.classList.contains('button-primary'))
      const dock = page.locator('.queue-compact')
      await dock.waitFor()
      await screenshot(page, `first-hour-dock-${lang}`)
      const header = await dock.locator('.queue-header').boundingBox()
      const close = await dock.locator('[data-testid="dock-close"]').boundingBox()
      const title = await dock.locator('#queue-heading').boundingBox()
      // On the title's line, at its right end, not on a line of its own.
      expect(Math.abs(close!.y + close!.height / 2 - (title!.y + title!.height / 2))).toBeLessThan(4)
      expect(close!.x).toBeGreaterThan(title!.x + title!.width)
      expect(close!.y + close!.height).toBeLessThanOrEqual(header!.y + header!.height)
      engine.queue.setQueuePaused(true)
      await page.click('[data-testid="lang-toggle"]')
    }
    engine.queue.setQueuePaused(false)
  })
})
