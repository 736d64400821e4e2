/**
 * A job waiting for a provider in a laptop-sized window, in English and in French: its status
 * label is the longest there is, and must stay in its column, not run over the job's title.
 */
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureRenderer, openUiProviderDown, screenshot } from './helpers'

/** Used inside page.waitForFunction callbacks, which run in Chromium. */
declare const document: any

let page: Page
let ui: Awaited<ReturnType<typeof openUiProviderDown>> | undefined

beforeAll(async () => {
  await ensureRenderer()
  ui = await openUiProviderDown({ width: 1024, height: 700 })
  ;({ page } = ui)
}, 120_000)

afterAll(async () => {
  await ui?.close()
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
