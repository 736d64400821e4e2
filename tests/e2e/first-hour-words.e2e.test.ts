/**
 * A new user's first hour, in Debian's Chromium against the real `studio serve` (a child process
 * with the built-in pipelines): a refused field is worded in the user's language and Escape still
 * closes the dialog afterwards; the batch log's filter chips stay on one line and its lines are
 * shown whole, in English and in French (screenshots in test-artifacts/screenshots).
 */
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir, until } from '../helpers/engine'
import { dropFiles, ensureRenderer, launchChromium, openServed, ROOT, screenshot, startServe, type ServedStudio } from './helpers'

/** Used inside page callbacks, which run in Chromium. */
declare const document: any

let served: ServedStudio | undefined
let browser: Browser
let page: Page

beforeAll(async () => {
  await ensureRenderer()
  served = await startServe(tempDir('first-hour-e2e-'))
  browser = await launchChromium()
  // A narrower window than the default, as a laptop's: the batch page's log column is at its tightest.
  ;({ page } = await openServed(browser, served.url, { locale: 'en-US', viewport: { width: 1280, height: 860 } }))
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await served?.stop()
})

async function setLanguage(locale: 'en' | 'fr') {
  const now = await page.evaluate(() => document.documentElement.lang)
  if (now !== locale) await page.click('[data-testid="lang-toggle"]')
  await page.waitForFunction((l) => document.documentElement.lang === l, locale)
}

describe('first hour in the browser', () => {
  it('a video without its idea is refused in the user’s words, naming the field as labelled; Escape then closes the dialog', async () => {
    for (const [locale, expected] of [
      ['fr', 'Le champ «\u00a0Idée\u00a0» est obligatoire\u00a0: remplissez-le.'],
      ['en', '“Idea” is required: fill it in.']
    ] as const) {
      await setLanguage(locale)
      await page.click('[data-testid="new-job"]')
      await page.selectOption('[data-testid="job-type"]', 'video')
      await page.click('[data-testid="enqueue"]')
      const error = page.locator('[data-testid="new-job-dialog"] [data-testid="form-error"]')
      await error.waitFor()
      const text = (await error.textContent())!
      await screenshot(page, `refused-field-${locale}`)
      // Wherever the focus was left (the button that was pressed), as a user would press it.
      await page.keyboard.press('Escape')
      const closed = await page
        .waitForSelector('[data-testid="new-job-dialog"]', { state: 'detached', timeout: 5_000 })
        .then(() => true)
        .catch(() => false)
      if (!closed) await page.click('[data-testid="new-job-dialog"] .modal-close')
      expect(closed, `${locale}: Escape closes the dialog after the error`).toBe(true)
      expect(text).toBe(expected)
      expect(text).not.toMatch(/Invalid input|expected string|input\.idea/)
    }
  })

  it('the batch log keeps its filter chips on one line and shows each line whole, in English and French', async () => {
    await setLanguage('en')
    const long = 'A lighthouse keeper on a remote island finds a message in a bottle that was written by her own grandmother sixty years ago'
    const csv = ['idea', long, 'Octopuses have three hearts and blue blood', 'Why the sky is blue at noon and red at dusk'].join('\n')
    await dropFiles(page, 'body', [{ name: 'log-layout.csv', mimeType: 'text/csv', content: csv }])
    await page.waitForSelector('[data-testid="batch-preview"]')
    await page.selectOption('[data-testid="cfg-pipeline"]', 'text')
    await page.click('[data-testid="batch-create-start"]')
    await page.waitForSelector('[data-testid="batch-detail"]')
    await until(async () => (await page.locator('[data-testid="batch-status"]').first().textContent()) === 'Completed', 90_000, 'batch completed')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="batch-log"] [data-testid="log-line"]').length >= 3, null, { timeout: 30_000 })

    for (const locale of ['en', 'fr'] as const) {
      await setLanguage(locale)
      const log = page.locator('[data-testid="batch-log"]')
      await log.scrollIntoViewIfNeeded()
      const layout = await page.evaluate(() => {
        const root = document.querySelector('[data-testid="batch-log"]')
        const chips = [...root.querySelectorAll('.chip')] as any[]
        const lines = [...root.querySelectorAll('[data-testid="log-line"]')] as any[]
        return {
          // One row of chips: the same top for all; each chip one line high (its label does not wrap).
          chipTops: [...new Set(chips.map((c) => Math.round(c.getBoundingClientRect().top)))],
          chipHeights: chips.map((c) => Math.round(c.getBoundingClientRect().height)),
          // A message is cut when its text is wider than its box (ellipsis) or the line's box hides it.
          cut: lines
            .map((l) => {
              const msg = l.querySelector('.log-msg')
              const lineBox = l.getBoundingClientRect()
              const msgBox = msg.getBoundingClientRect()
              return msg.scrollWidth > msg.clientWidth + 1 || msgBox.bottom > lineBox.bottom + 1 || msgBox.right > lineBox.right + 1 ? msg.textContent : null
            })
            .filter(Boolean),
          // Lines never overlap one another (a wrapped line pushes the next one down).
          overlaps: lines
            .map((l) => l.getBoundingClientRect())
            .sort((a: any, b: any) => a.top - b.top)
            .some((box: any, i: number, all: any[]) => i > 0 && box.top < all[i - 1].bottom - 1)
        }
      })
      await screenshot(page, `batch-log-${locale}`)
      await log.screenshot({ path: join(ROOT, `test-artifacts/screenshots/batch-log-only-${locale}.png`) })
      expect(layout.chipTops, `${locale}: chips on one row`).toHaveLength(1)
      expect(Math.max(...layout.chipHeights), `${locale}: a chip's label on one line`).toBeLessThan(26)
      expect(layout.cut, `${locale}: lines shown whole`).toEqual([])
      expect(layout.overlaps, `${locale}: lines do not overlap`).toBe(false)
    }
  })
})
