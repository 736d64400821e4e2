/**
 * The real `studio serve` (a child process: the CLI, the built-in pipelines, settings, batches and
 * projects) driven in Debian's Chromium: a batch from a dropped CSV, a text provider pointed at
 * an OpenAI-compatible server that answers 503 and then recovers, projects with imported media,
 * settings with a write-only key and a live subtitle preview.
 */
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { behaviours, startOpenAICompatibleServer, type OpenAICompatibleServer } from '../helpers/openai-compatible-server'
import { tempDir, until } from '../helpers/engine'
import { dropFiles, ensureRenderer, launchChromium, openServed, screenshot, startServe, type ServedStudio } from './helpers'

/** Used inside page.waitForFunction callbacks, which run in Chromium. */
declare const document: any

let served: ServedStudio | undefined
let url: string
let server: OpenAICompatibleServer
let browser: Browser
let page: Page
let pageErrors: string[]

beforeAll(async () => {
  await ensureRenderer()
  server = await startOpenAICompatibleServer({ reply: 'Composting turns kitchen scraps into soil. It feeds the garden and cuts waste.' })
  served = await startServe(tempDir('studio-serve-e2e-'))
  url = served.url
  browser = await launchChromium()
  ;({ page, errors: pageErrors } = await openServed(browser, url))
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await served?.stop()
  await server?.close()
})

const batchStatus = () => page.locator('[data-testid="batch-status"]').first()

describe('studio serve in the browser (built-in pipelines)', () => {
  it('prints only the tokenised loopback URL, not the token elsewhere', () => {
    const token = /#token=([\w-]+)/.exec(url)![1]!
    expect(served!.output().split(token).length - 1).toBe(1)
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:/)
  })

  it('a CSV dropped on the app becomes a batch: preview, mapping, start, pause, resume, stop', async () => {
    const csv = ['idea,language', 'A lighthouse keeper finds a message in a bottle,en', 'Un phare dans la tempête,fr', 'Octopuses have three hearts,en'].join('\n')
    await dropFiles(page, 'body', [{ name: 'ideas.csv', mimeType: 'text/csv', content: csv }])
    await page.waitForSelector('[data-testid="batch-preview"]')
    expect(await page.locator('[data-testid="batch-preview"]').textContent()).toContain('A lighthouse keeper')
    expect(await page.locator('[data-testid="batch-mapping"] select').first().inputValue()).toBe('idea')
    await page.fill('[data-testid="batch-name"]', 'E2E ideas')
    await page.locator('[data-testid="cfg-intensity"]').fill('1.2')
    await page.selectOption('[data-testid="cfg-adversarial"]', 'light')
    await screenshot(page, 'batch-create')
    await page.click('[data-testid="batch-create-start"]')
    await page.waitForSelector('[data-testid="batch-detail"]')
    await until(async () => (await batchStatus().textContent()) === 'Running', 20_000, 'batch running')
    await page.waitForFunction(() => /Current rows: \d/.test(document.querySelector('[data-testid="batch-detail"]')!.textContent!), null, { timeout: 20_000 })
    await page.click('[data-testid="batch-pause"]')
    await until(async () => (await batchStatus().textContent()) === 'Paused', 20_000, 'batch paused')
    await page.click('[data-testid="batch-resume"]')
    await until(async () => (await batchStatus().textContent()) === 'Running', 20_000, 'batch running again')
    await screenshot(page, 'batches')
    await page.click('[data-testid="batch-stop"]')
    await until(async () => (await batchStatus().textContent()) === 'Stopped', 20_000, 'batch stopped')
    expect(await page.locator('[data-testid="batch-detail"]').textContent()).toMatch(/1\.2/)
  })

  it('a text provider that answers 503: its job waits, the provider shows down; it recovers after "run now"', async () => {
    await page.click('[data-testid="nav-settings"]')
    const form = page.locator('[data-testid="provider-form-text"]')
    await form.locator('[data-testid="provider-kind"]').selectOption('openai')
    await form.locator('[data-testid="provider-url"]').fill(server.baseURL)
    await form.locator('[data-testid="provider-model"]').fill('gpt-4o-mini')
    // Settings save as you go: the page's one indicator says when the change is saved.
    await page.locator('[data-testid="settings-save-state"][data-state="saved"]').waitFor({ timeout: 15_000 })
    await form.locator('[data-testid="provider-key"]').fill('sk-e2e-not-a-real-key')
    await form.locator('[data-testid="provider-key-save"]').click()
    await form.locator('[data-testid="key-state"]', { hasText: 'Key stored' }).waitFor()
    expect(await form.locator('[data-testid="provider-key"]').inputValue()).toBe('') // write-only
    await screenshot(page, 'settings')
    await page.locator('[data-testid="subtitle-preview"]').scrollIntoViewIfNeeded({ timeout: 30_000 })
    await page.waitForFunction(() => (document.querySelector('[data-testid="subtitle-preview"]')?.naturalWidth ?? 0) > 0)
    await screenshot(page, 'settings-captions')

    server.script('chat', Array.from({ length: 200 }, () => behaviours.unavailable('1')))
    await page.click('[data-testid="nav-queue"]')
    await page.click('[data-testid="new-job"]')
    await page.selectOption('[data-testid="job-type"]', 'text')
    await page.fill('[data-testid="job-text"]', 'Write about composting at home')
    await page.fill('[data-testid="job-title"]', 'Compost text')
    await page.click('[data-testid="enqueue"]')
    const row = page.locator('[data-testid="queue-row"]', { hasText: 'Compost text' })
    await row.waitFor()
    await until(async () => (await row.getAttribute('data-status')) === 'waiting', 30_000, 'job waiting for the provider')
    await row.locator('.job-sub', { hasText: /waiting for .*503/ }).waitFor({ timeout: 10_000 })
    await screenshot(page, 'queue-waiting')

    await page.click('[data-testid="nav-providers"]')
    const down = page.locator('[data-testid="provider-row"][data-state="open"]')
    await down.first().waitFor({ timeout: 30_000 })
    expect(await down.first().textContent()).toMatch(/Down/)
    await screenshot(page, 'providers')

    server.reset() // the provider is back
    await page.click('[data-testid="admin-kick"]')
    await page.click('[data-testid="nav-queue"]')
    await until(async () => (await row.getAttribute('data-status')) === 'completed', 30_000, 'job completed after recovery')
    await row.dblclick()
    await page.locator('[data-testid="job-detail"]', { hasText: 'Composting turns kitchen scraps' }).waitFor({ timeout: 10_000 })
    await screenshot(page, 'tracker-text')
  })

  it('projects: dropped media become assets; "new video" from them opens the composer, creates a storyboard and opens it', async () => {
    await page.click('[data-testid="nav-projects"]')
    await page.fill('[data-testid="project-name"]', 'Promo spring')
    await page.keyboard.press('Enter')
    await page.locator('[data-testid="project-view"]', { hasText: 'Promo spring' }).waitFor()
    const png = await sharp({ create: { width: 320, height: 180, channels: 3, background: '#3b7dd8' } }).png().toBuffer()
    await page.setInputFiles('[data-testid="media-input"]', [{ name: 'sky.png', mimeType: 'image/png', buffer: png }])
    await page.locator('[data-testid="asset"]').first().waitFor({ timeout: 15_000 })
    await page.waitForFunction(() => {
      const img = document.querySelector('[data-testid="asset"] img')
      return img !== null && img.complete && img.naturalWidth === 320
    })
    await page.locator('[data-testid="asset"] input[type="checkbox"]').first().check()
    await page.click('[data-testid="new-video"]')
    // Nothing is queued yet: the composer asks first, then the storyboard opens for review.
    await page.locator('[data-testid="composer"]').waitFor()
    expect(await page.locator('.project-job').count()).toBe(0)
    await page.click('[data-testid="composer-create"]')
    await page.locator('[data-testid="scene-card"]').first().waitFor({ timeout: 15_000 })
    expect(await page.locator('[data-testid="scene-card"]').count()).toBe(1)
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'scene-narration', null, { timeout: 10_000 })
    expect(await page.locator('[data-testid="render-version"]').count()).toBe(0) // created for review, not rendered
    await screenshot(page, 'projects')
  })

  it('the system check runs; no page errors', async () => {
    await page.click('[data-testid="nav-settings"]')
    await page.click('[data-testid="doctor"]')
    await page.waitForSelector('[data-testid="doctor-report"] li', { timeout: 30_000 })
    expect(pageErrors).toEqual([])
  })
})
