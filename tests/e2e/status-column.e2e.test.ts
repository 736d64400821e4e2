/**
 * A job waiting for a provider in a laptop-sized window, in English and in French: its status
 * label is the longest there is, and must stay in its column, not run over the job's title.
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BridgeServer } from '../../src/main/bridge/server'
import type { Engine } from '../../src/main/engine/engine'
import { openTestEngine } from '../helpers/engine'
import { ensureRenderer, openUi, screenshot } from './helpers'

/** Used inside page.waitForFunction callbacks, which run in Chromium. */
declare const document: any

let engine: Engine<any>
let bridge: BridgeServer
let browser: Browser
let page: Page

beforeAll(async () => {
  await ensureRenderer()
  // A long cooldown: once down, the provider stays down for the whole test (no half-open trial
  // turns the job back to processing while the layout is measured).
  engine = openTestEngine({ breaker: { failureThreshold: 1, cooldownMs: 60_000, maxCooldownMs: 60_000 } })
  writeFileSync(join(engine.dataDir, 'flaky.down'), '')
  ;({ bridge, browser, page } = await openUi(engine, { width: 1024, height: 700 }))
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await bridge?.close()
  rmSync(join(engine.dataDir, 'flaky.down'), { force: true })
  await engine?.close(0)
})

/** How far, in pixels, a row's status text runs past the start of its title cell (the text, not its box: overflowing text leaves the box). */
async function overlap(row: Locator): Promise<number> {
  return row.evaluate((r) => {
    const text = document.createRange()
    text.selectNodeContents(r.querySelector('.status')!)
    const right = Math.max(...[...text.getClientRects()].map((box: any) => box.right))
    return right - r.querySelector('.title-cell')!.getBoundingClientRect().left
  })
}

describe('status column in a 1024 px window', () => {
  it('"Waiting for provider" stays in its column in the queue and the job list, in English and French', async () => {
    await page.click('[data-testid="new-job"]')
    await page.selectOption('[data-testid="job-type"]', 'remote')
    await page.fill('[data-testid="job-title"]', 'Needs the provider')
    await page.click('[data-testid="enqueue"]')
    const row = page.locator('[data-testid="queue-row"][data-status="waiting"]')
    await row.waitFor({ timeout: 15_000 })

    for (const label of ['Waiting for provider', 'Attend le fournisseur']) {
      await page.click('[data-testid="nav-queue"]')
      await row.locator('.status', { hasText: label }).waitFor()
      expect(await overlap(row)).toBeLessThanOrEqual(0)
      await page.click('[data-testid="nav-jobs"]')
      const trackerRow = page.locator('[data-testid="tracker-row"]', { hasText: 'Needs the provider' })
      await trackerRow.locator('.status', { hasText: label }).waitFor()
      expect(await overlap(trackerRow)).toBeLessThanOrEqual(0)
      await screenshot(page, `status-column-${label === 'Waiting for provider' ? 'en' : 'fr'}`)
      await page.click('[data-testid="lang-toggle"]')
    }
  })
})
