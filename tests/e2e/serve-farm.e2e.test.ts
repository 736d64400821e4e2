/**
 * `studio serve --queue-url` in Debian's Chromium: the window says it is on the farm (which one,
 * its password never shown), lists a job another machine queued on the farm, and shows it finish
 * live when a real `studio farm worker` process runs it. In French, the banner is French.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redactQueueUrl } from '../../src/main/engine/store/postgres/init'
import { splitPassword } from '../../src/shared/farm'
import { startWorker, useFarm } from '../helpers/farm-worker'
import { ensureRenderer, launchChromium, openServed, rowIds, screenshot, startServe, type ServedStudio } from './helpers'

declare const document: any

const farm = useFarm()
let served: ServedStudio
let browser: Browser
let page: Page
let pageErrors: string[]

beforeAll(async () => {
  await ensureRenderer()
  served = await startServe(farm.dataDir, { args: ['--queue-url', farm.url], env: { STUDIO_QUEUE_URL: '', STUDIO_FARM_RETRY_MS: '300' } })
  browser = await launchChromium()
  const opened = await openServed(browser, served.url)
  page = opened.page
  pageErrors = opened.errors
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await served?.stop()
})

describe('the window of studio serve --queue-url', () => {
  it('says which farm it is on, lists the farm’s job and shows a farm worker finish it', async () => {
    const where = redactQueueUrl(farm.url)
    const indicator = page.locator('[data-testid="farm-indicator"]')
    await indicator.waitFor({ timeout: 30_000 })
    await page.locator('[data-testid="farm-banner"]').waitFor({ timeout: 30_000 })
    expect(await indicator.textContent()).toContain(where)
    const { password } = splitPassword(farm.url)
    if (password) expect(await page.evaluate(() => document.body.innerText)).not.toContain(password)

    const job = await farm.user.store.enqueue({ type: 'text', title: 'Queued by another machine', input: { prompt: 'the lighthouse keeper' } })
    await page.waitForFunction((id) => document.querySelector(`[data-testid="queue-row"][data-job-id="${id}"]`) !== null, job.id, { timeout: 30_000 })
    expect(await rowIds(page)).toEqual([job.id])
    await screenshot(page, 'serve-farm-waiting')

    farm.workers.push(startWorker(farm.url, farm.dataDir, { concurrency: 1 }))
    await page.waitForFunction((id) => document.querySelector(`[data-testid="queue-row"][data-job-id="${id}"]`)?.getAttribute('data-status') === 'completed', job.id, {
      timeout: 120_000
    })
    await screenshot(page, 'serve-farm-completed')

    await page.click('[data-testid="lang-toggle"]')
    await page.locator('[data-testid="farm-banner"]', { hasText: 'Cette fenêtre affiche la file de la ferme' }).waitFor({ timeout: 15_000 })
    expect(pageErrors).toEqual([])
  }, 240_000)
})
