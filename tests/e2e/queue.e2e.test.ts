/**
 * The studio UI in Debian's Chromium against the real bridge and a real engine (SQLite in a temp
 * folder, the worker pool running the test pipelines whose steps can be told to hold, sleep or
 * fail). Everything is done through the page, as a user would; the engine is only read to check.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBridge, type BridgeServer } from '../../src/main/bridge/server'
import type { Engine } from '../../src/main/engine/engine'
import { callsOf } from '../helpers/test-pipelines'
import { openTestEngine, until } from '../helpers/engine'
import { ensureRenderer, openUi, rowIds, screenshot } from './helpers'

/** Used inside page.waitForFunction callbacks, which run in Chromium. */
declare const document: any

let engine: Engine<any>
let bridge: BridgeServer
let browser: Browser
let page: Page
let pageErrors: string[]

beforeAll(async () => {
  await ensureRenderer()
  engine = openTestEngine({ concurrency: 2 })
  ;({ bridge, browser, page, errors: pageErrors } = await openUi(engine))
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await bridge?.close()
  await engine?.close(0)
})

const row = (title: string) => page.locator('[data-testid="queue-row"]', { has: page.locator('.job-title', { hasText: new RegExp(`^${title}$`) }) })
const idOf = (title: string) => engine.queue.list({ text: title }).find((j) => j.title === title)!.id
const queuedTitles = () => engine.queue.list({ status: ['pending', 'paused'] }).map((j) => j.title)
const hold = (name: string) => writeFileSync(join(engine.dataDir, name), '')
const release = (name: string) => rmSync(join(engine.dataDir, name), { force: true })

async function enqueueThroughUi(o: { type: string; title: string; json?: object; priority?: number }) {
  await page.click('[data-testid="new-job"]')
  await page.selectOption('[data-testid="job-type"]', o.type)
  await page.fill('[data-testid="job-title"]', o.title)
  if (o.priority) await page.fill('[data-testid="job-priority"]', String(o.priority))
  if (o.json) {
    await page.click('details.advanced summary')
    await page.fill('[data-testid="job-json"]', JSON.stringify(o.json))
  }
  await page.click('[data-testid="enqueue"]')
  await page.waitForSelector('[data-testid="new-job-dialog"]', { state: 'detached' })
}

describe('task queue in the browser', () => {
  it('a job enqueued through the UI shows live progress, step by step, up to 100 %', async () => {
    await enqueueThroughUi({ type: 'three', title: 'Live progress', json: { label: 'live', sleepMs: { a: 500, b: 500, c: 500 } } })
    const seen = new Set<number>()
    const r = row('Live progress')
    await r.waitFor()
    // Sampled every 50 ms until it completes (a deadline, not a count of looks: a loaded machine looks less often).
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
      const now = Number(await r.locator('[role="progressbar"]').getAttribute('aria-valuenow'))
      seen.add(now)
      if ((await r.getAttribute('data-status')) === 'completed') break
      await page.waitForTimeout(50)
    }
    expect(await r.getAttribute('data-status')).toBe('completed')
    expect(await r.locator('.pct').textContent()).toBe('100%')
    expect([...seen].some((p) => p > 0 && p < 100)).toBe(true)
    expect(engine.queue.get(idOf('Live progress'))!.status).toBe('completed')
  })

  it('reorders by buttons, by keyboard and by drag, and changes priority', async () => {
    await page.click('[data-testid="queue-toggle"]') // pause the whole queue so nothing starts meanwhile
    await until(() => engine.queue.isPaused(), 5_000, 'queue paused')
    for (const t of ['R1', 'R2', 'R3', 'R4']) await enqueueThroughUi({ type: 'one', title: t, json: { label: t } })
    await until(() => queuedTitles().length === 4, 5_000, 'four queued')
    expect(queuedTitles()).toEqual(['R1', 'R2', 'R3', 'R4'])

    await row('R3').locator('[data-testid="move-up"]').click()
    await until(() => queuedTitles().join() === 'R1,R3,R2,R4', 5_000, 'R3 moved up')

    await row('R1').click()
    await page.keyboard.press('Alt+ArrowDown')
    await until(() => queuedTitles().join() === 'R3,R1,R2,R4', 5_000, 'R1 moved down by keyboard')

    // Drag R4 onto the top half of R3: it lands first. The drop goes where the pointer is, so the
    // rows must have stopped moving: a job finished by the previous test sinks below the queued ones
    // when its last event arrives, which on a busy machine can be now.
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="queue-row"]')]
        .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
        .slice(0, 4)
        .map((r) => r.querySelector('.job-title')?.textContent)
        .join() === 'R3,R1,R2,R4'
    )
    const target = await row('R3').boundingBox()
    await row('R4').locator('.grip').dragTo(row('R3'), { targetPosition: { x: 200, y: 4 } })
    await until(() => queuedTitles().join() === 'R4,R3,R1,R2', 5_000, `R4 dragged to the top (now ${queuedTitles().join()})`)
    expect(target).not.toBeNull()
    // The page shows the engine's order.
    await page.waitForFunction(() => {
      const titles = [...document.querySelectorAll('[data-testid="queue-row"][data-status="paused"], [data-testid="queue-row"][data-status="pending"]')]
        .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
        .map((r) => r.querySelector('.job-title')!.textContent)
        .filter((t) => /^R\d$/.test(t!))
      return titles.join() === 'R4,R3,R1,R2'
    })

    await row('R2').locator('[data-testid="priority"]').selectOption('1')
    await until(() => engine.queue.get(idOf('R2'))!.priority === 1, 5_000, 'priority 1')
    await until(() => queuedTitles()[0] === 'R2', 5_000, 'R2 first')
    await screenshot(page, 'queue-reordered')

    // Up past R2 (priority 1), R4 takes its priority; the page says so rather than doing it silently.
    await row('R4').locator('[data-testid="move-up"]').click()
    await until(() => queuedTitles().join() === 'R4,R2,R3,R1', 5_000, 'R4 moved up past R2')
    await page.locator('[data-testid="notice-info"]', { hasText: '“R4” now has priority 1 (was 10)' }).waitFor({ timeout: 5_000 })

    for (const t of ['R1', 'R2', 'R3', 'R4']) await row(t).locator('[data-testid="remove"]').click()
    await until(() => queuedTitles().length === 0, 5_000, 'removed')
    await page.click('[data-testid="queue-toggle"]')
    await until(() => !engine.queue.isPaused(), 5_000, 'queue resumed')
    expect((await rowIds(page)).length).toBeGreaterThan(0)
  })

  it('a running job cannot be reordered (the UI says why) and can be cancelled', async () => {
    hold('hold-cancel')
    await enqueueThroughUi({ type: 'three', title: 'Long render', json: { label: 'long', holdWhile: { a: 'hold-cancel' } } })
    const r = row('Long render')
    await page.waitForFunction(() => document.querySelector('[data-testid="queue-row"][data-status="processing"]') !== null, null, { timeout: 10_000 })
    const up = r.locator('[data-testid="move-up"]')
    expect(await up.getAttribute('aria-disabled')).toBe('true')
    expect(await up.getAttribute('title')).toMatch(/Processing jobs cannot be reordered/)
    await up.click({ force: true }) // aria-disabled: focusable, explains instead of acting
    await page.locator('[data-testid="notice-info"]', { hasText: 'cannot be reordered' }).waitFor()
    await screenshot(page, 'queue-processing')
    await r.locator('[data-testid="cancel"]').click()
    // A running job: the app asks first, in its own dialog.
    await page.locator('[data-testid="confirm-dialog"]', { hasText: 'Long render' }).waitFor()
    await page.click('[data-testid="confirm-ok"]')
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="queue-row"]')].some((el) => el.textContent!.includes('Long render') && el.getAttribute('data-status') === 'cancelled')
    )
    expect(engine.queue.get(idOf('Long render'))!.status).toBe('cancelled')
    release('hold-cancel')
  })

  it('a failed job retried from the UI resumes at the failed step (finished steps skipped)', async () => {
    await enqueueThroughUi({ type: 'three', title: 'Flaky step', json: { label: 'flaky', fail: { b: { kind: 'permanent', times: 1 } } } })
    const r = row('Flaky step')
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="queue-row"]')].some((el) => el.textContent!.includes('Flaky step') && el.getAttribute('data-status') === 'failed')
    )
    expect(await r.locator('.job-sub').textContent()).toMatch(/bad input for b/)
    await r.locator('[data-testid="retry"]').click()
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="queue-row"]')].some((el) => el.textContent!.includes('Flaky step') && el.getAttribute('data-status') === 'completed')
    )
    expect(callsOf(engine.dataDir).filter((c) => c === 'flaky:a')).toHaveLength(1) // step a ran once
    // The tracker shows the story: outputs and the log line.
    await r.dblclick()
    await page.waitForSelector('[data-testid="job-detail"]')
    // A finished job opens on its result; steps and log are below, folded: unfold them.
    const folded = page.locator('[data-testid="job-details"]:not([open]) > summary')
    if (await folded.count()) await folded.click()
    await page.locator('[data-testid="job-log"] [data-testid="log-line"]', { hasText: 'skipping a (already done)' }).waitFor()
    // Lines with a step and the user's retry, which has none: every message starts at one place.
    const starts = await page.$$eval('[data-testid="job-log"] .log-msg', (els) => els.map((el) => Math.round(el.getBoundingClientRect().left)))
    expect(starts.length).toBeGreaterThan(3)
    expect(new Set(starts).size).toBe(1)
    expect(await page.locator('[data-testid="step"]').count()).toBe(3)
    await screenshot(page, 'tracker-detail')
    await page.click('[data-testid="nav-queue"]')
  })

  it('a provider goes down: its jobs wait (distinct status), the admin panel shows it; it recovers', async () => {
    hold('flaky.down')
    await enqueueThroughUi({ type: 'remote', title: 'Needs flaky', json: { label: 'remote1' } })
    await enqueueThroughUi({ type: 'remote', title: 'Needs flaky too', json: { label: 'remote2' } })
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="queue-row"][data-status="waiting"]').length >= 1, null, { timeout: 15_000 })
    // The job alternates between waiting and a half-open trial: wait for a moment that shows the reason.
    await row('Needs flaky').locator('.job-sub', { hasText: 'waiting for flaky' }).waitFor({ timeout: 10_000 })
    await page.click('[data-testid="nav-providers"]')
    await page.locator('[data-testid="provider-row"][data-provider="flaky"]').waitFor()
    await until(async () => (await page.locator('[data-testid="provider-row"][data-provider="flaky"]').getAttribute('data-state')) === 'open', 15_000, 'circuit open')
    await screenshot(page, 'providers-down')
    release('flaky.down')
    await page.click('[data-testid="admin-kick"]')
    await until(() => ['Needs flaky', 'Needs flaky too'].every((t) => engine.queue.get(idOf(t))!.status === 'completed'), 20_000, 'both completed after recovery')
    await page.locator('[data-testid="provider-row"][data-provider="flaky"][data-state="closed"]').waitFor({ timeout: 10_000 })
    await screenshot(page, 'providers-recovered')
    await page.click('[data-testid="nav-queue"]')
  })

  it('each panel renders (screenshots), in French too', async () => {
    await page.click('[data-testid="nav-queue"]')
    await screenshot(page, 'queue')
    await page.click('[data-testid="nav-jobs"]')
    await screenshot(page, 'tracker')
    await page.click('[data-testid="lang-toggle"]')
    await page.click('[data-testid="nav-queue"]')
    expect(await page.locator('#queue-heading').textContent()).toBe('File d’attente')
    await screenshot(page, 'queue-fr')
    await page.click('[data-testid="theme-toggle"]') // system → dark
    await page.click('[data-testid="theme-toggle"]') // dark → light
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light')
    await screenshot(page, 'queue-fr-light')
    await page.click('[data-testid="lang-toggle"]')
    await page.click('[data-testid="theme-toggle"]')
    expect(pageErrors).toEqual([])
  })

  it('survives a bridge restart: "reconnecting" banner, then a resync shows what happened meanwhile', async () => {
    const { port, token } = bridge
    await bridge.close()
    await page.locator('[data-testid="reconnecting"]').waitFor({ timeout: 10_000 })
    await screenshot(page, 'reconnecting')
    const offline = engine.queue.enqueue({ type: 'one', input: { label: 'offline' }, title: 'Queued while offline' })
    bridge = await startBridge(engine, { port, token })
    await page.locator('[data-testid="reconnecting"]').waitFor({ state: 'detached', timeout: 20_000 })
    await row('Queued while offline').waitFor({ timeout: 10_000 })
    // Events flow again on the new connection.
    await until(() => engine.queue.get(offline.id)!.status === 'completed', 10_000, 'offline job completed')
    await page.waitForFunction(
      (id: string) => document.querySelector(`[data-testid="queue-row"][data-job-id="${id}"]`)?.getAttribute('data-status') === 'completed',
      offline.id,
      { timeout: 10_000 }
    )
  })

  it('a page without the token is refused: WebSocket and files', async () => {
    const ctx = await browser.newContext()
    const p = await ctx.newPage()
    await p.goto(bridge.origin + '/')
    await p.waitForSelector('[data-testid="unauthorized"]', { timeout: 15_000 })
    const status = await p.evaluate(async () => (await fetch('/files?path=%2Fetc%2Fpasswd')).status)
    expect(status).toBe(401)
    await screenshot(p, 'unauthorized')
    await ctx.close()
    expect(existsSync(join(engine.dataDir, 'studio.db'))).toBe(true)
  })

  it('shows at once what the CLI does in another process: a job it adds, the queue it pauses, a job it deletes', async () => {
    // The CLI has its own connection to the same database, as a second process would.
    const cli = openTestEngine({}, engine.dataDir)
    try {
      cli.queue.setQueuePaused(true)
      await page.waitForFunction(() => document.querySelector('[data-testid="queue-eta"]')?.textContent === 'Queue paused', undefined, { timeout: 10_000 })
      const added = cli.queue.enqueue({ type: 'one', input: { label: 'cli' }, title: 'Added from the CLI' })
      await row('Added from the CLI').waitFor({ timeout: 10_000 })
      cli.queue.setQueuePaused(false)
      await page.waitForFunction(
        (id: string) => document.querySelector(`[data-testid="queue-row"][data-job-id="${id}"]`)?.getAttribute('data-status') === 'completed',
        added.id,
        { timeout: 10_000 }
      )
      cli.queue.remove(added.id)
      await page.waitForFunction((id: string) => !document.querySelector(`[data-testid="queue-row"][data-job-id="${id}"]`), added.id, { timeout: 10_000 })
    } finally {
      await cli.close(0)
    }
  })

  it('in a narrow window every row keeps its actions in view, under headers that line up', async () => {
    engine.queue.enqueue({ type: 'one', input: { label: 'narrow' }, title: 'A rather long title that has to give way in a narrow window' })
    await row('A rather long title that has to give way in a narrow window').waitFor({ timeout: 10_000 })
    try {
      for (const width of [900, 760]) {
        await page.setViewportSize({ width, height: 800 })
        // Measured once the page has the new width and has painted twice since (no fixed delay).
        await page.waitForFunction((w) => window.innerWidth === w, width)
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
        const fit = await page.evaluate(() => {
          const scroll = document.querySelector('.queue-scroll')
          const header = document.querySelector('.queue-columns')
          const row = document.querySelector('[data-testid="queue-row"]')
          const remove = row?.querySelector('[data-testid="remove"]')?.getBoundingClientRect()
          const cells = (el: any) => [...el.children].filter((c: any) => getComputedStyle(c).display !== 'none').map((c: any) => Math.round(c.getBoundingClientRect().left))
          return {
            overflow: scroll.scrollWidth - scroll.clientWidth,
            removeVisible: Boolean(remove) && remove.right <= scroll.getBoundingClientRect().right,
            header: cells(header).slice(0, 4),
            row: cells(row).slice(0, 4)
          }
        })
        await screenshot(page, `queue-${width}px`)
        expect(fit.overflow, `${width}px`).toBeLessThanOrEqual(0)
        expect(fit.removeVisible, `${width}px`).toBe(true)
        expect(fit.header, `${width}px`).toEqual(fit.row)
      }
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 })
    }
  })
})
