/**
 * Settings → "Studio farm" in the real `studio serve` (a child process), driven in Debian's
 * Chromium, against a real PostgreSQL farm with one registered worker running a job: a bad URL is
 * refused under the field; the real one is tested, connected (its password masked, never on the
 * page), and the worker and the queue are shown; then "Shared folder on this computer" is checked
 * as a worker checks its share when saved.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { detectCapabilities } from '../../src/main/engine/farm/capabilities'
import { workerPreflight } from '../../src/main/engine/farm/commands'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { registerWorker } from '../../src/main/engine/store/postgres/workers'
import { tempDir } from '../helpers/engine'
import { usePostgres } from '../helpers/postgres'
import { ensureRenderer, launchChromium, openServed, screenshot, startServe, type ServedStudio } from './helpers'

declare const document: any

const db = usePostgres()
const PASSWORD = 'E2e-farm-pw-913'
let served: ServedStudio
let browser: Browser
let page: Page
let pageErrors: string[]

beforeAll(async () => {
  await ensureRenderer()
  await farmInit(db.url)
  const pool = new pg.Pool({ connectionString: db.url, max: 1 })
  try {
    const caps = await detectCapabilities({ env: { PATH: process.env.PATH } })
    await registerWorker(pool, { id: 'w-e2e', pid: 777, version: 'e2e', capabilities: { ...caps, host: 'render-e2e', has: ['ffmpeg', 'libass', 'speech'] } })
    await pool.query(
      `INSERT INTO jobs (id, type, title, payload, status, position, next_needs, lease_owner, current_step, started_at, created_at, updated_at)
       VALUES ('e2e-job', 'video', 'Lighthouses of Brittany', '{}', 'processing', 1, '{ffmpeg}', 'w-e2e', 'assemble', 1, 0, 0)`
    )
  } finally {
    await pool.end()
  }
  served = await startServe(tempDir('studio-farm-e2e-'))
  browser = await launchChromium()
  const opened = await openServed(browser, served.url)
  page = opened.page
  pageErrors = opened.errors
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await served?.stop()
})

describe('Settings → Studio farm in the browser', () => {
  it('refuses a bad URL under the field, then tests, connects and shows the worker and the queue', async () => {
    await page.click('[data-testid="nav-settings"]')
    const section = page.locator('[data-testid="settings-farm"]')
    await section.scrollIntoViewIfNeeded({ timeout: 30_000 })
    await section.locator('[data-testid="farm-connection"]', { hasText: 'Not connected' }).waitFor({ timeout: 15_000 })

    await section.locator('[data-testid="farm-url"]').fill('http://farm-db.lan/studio')
    await section.locator('[data-testid="farm-connect"]').click()
    await section.locator('[data-testid="farm-error"]', { hasText: '“Queue URL” must start with postgres:// or postgresql://.' }).waitFor({ timeout: 15_000 })

    const withPassword = new URL(db.url)
    withPassword.password = PASSWORD
    await section.locator('[data-testid="farm-url"]').fill(withPassword.toString())
    await section.locator('[data-testid="farm-test"]').click()
    await section.locator('[data-testid="farm-test-result"]', { hasText: 'as this app expects' }).waitFor({ timeout: 30_000 })

    await section.locator('[data-testid="farm-connect"]').click()
    await section.locator('[data-testid="farm-connection"]', { hasText: 'Connected to postgres://studio:••••••@127.0.0.1' }).waitFor({ timeout: 30_000 })
    const worker = section.locator('[data-testid="farm-worker"]', { hasText: 'render-e2e' })
    await worker.waitFor({ timeout: 30_000 })
    expect(await worker.textContent()).toContain('Lighthouses of Brittany [assemble]')
    expect(await section.locator('[data-testid="farm-queue"]').textContent()).toContain('Processing 1')
    expect(await section.locator('[data-testid="farm-url"]').inputValue()).not.toContain(PASSWORD)
    expect(await page.evaluate(() => document.body.innerText as string)).not.toContain(PASSWORD)
    await screenshot(page, 'settings-farm')
    expect(pageErrors).toEqual([])
  })

  it('"Shared folder on this computer": a typed folder is checked against the share a worker marked; unmarked or empty folders are refused under the field', async () => {
    const section = page.locator('[data-testid="settings-farm"]')
    const field = section.locator('[data-testid="farm-shared-dir"]')
    // A browser has no folder dialog: the path is typed.
    expect(await section.locator('[data-testid="farm-shared-dir-pick"]').count()).toBe(0)
    const share = tempDir('studio-farm-e2e-share-')
    // No worker has marked the farm's share yet: the window cannot check the folder, and says so.
    await field.fill(share)
    await field.press('Enter')
    await section.locator('[data-testid="farm-shared-dir-error"]', { hasText: 'no farm worker has marked the farm’s shared folder yet' }).waitFor({ timeout: 30_000 })
    expect(existsSync(join(share, '.studio-farm'))).toBe(false)
    // A worker started on it marks it (its preflight); then it is saved.
    expect((await workerPreflight(db.url, share, { env: { PATH: process.env.PATH } })).ok).toBe(true)
    await field.press('Enter')
    await section.locator('[data-testid="farm-shared-dir-saved"]', { hasText: `Saved: the farm’s results are read from ${share}.` }).waitFor({ timeout: 30_000 })

    await field.fill(tempDir('studio-farm-e2e-not-mounted-'))
    // Leaving the changed field checks it (settings save as you go).
    await field.blur()
    await section
      .locator('[data-testid="farm-shared-dir-error"]', { hasText: '“Shared folder on this computer”: this is not the folder the farm’s machines write into' })
      .waitFor({ timeout: 30_000 })
    await section.locator('[data-testid="farm-shared-dir-error"]').scrollIntoViewIfNeeded()
    await screenshot(page, 'settings-farm-shared-dir')
    expect(pageErrors).toEqual([])
  })
})
