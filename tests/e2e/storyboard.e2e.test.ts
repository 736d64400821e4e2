/**
 * The storyboard editor as a creator uses it, in Debian's Chromium against the real `studio serve`
 * (a child process: the CLI's engine, offline providers, real ffmpeg): two pictures dropped on the
 * media bin, a storyboard made from them, narration typed into both cards, a render that plays;
 * scene 2's narration edited and rendered again — scene 1 marked reused, the new words in the
 * served SRT; the finished job's detail opening on its player; cards reordered by drag and by
 * keyboard, and Ctrl+Z undoing the last move. A screenshot of each state goes to test-artifacts/.
 * Square (1:1) renders keep it short.
 */
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/engine'
import { ensureRenderer, launchChromium, openServed, screenshot, startServe, type ServedStudio } from './helpers'

/** Page-side globals used inside page.evaluate callbacks (they run in Chromium, not in Node). */
declare const document: any
declare const DataTransfer: any
declare const atob: any

let served: ServedStudio | undefined
let browser: Browser | undefined
let page: Page
let pageErrors: string[] = []

beforeAll(async () => {
  const [, started] = await Promise.all([ensureRenderer(), startServe(tempDir('studio-storyboard-e2e-'))])
  served = started
  browser = await launchChromium()
  ;({ page, errors: pageErrors } = await openServed(browser, started.url))
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await served?.stop()
})

/** Wait for an async condition (the shared `until` checks synchronously). */
async function until<T>(check: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const start = Date.now()
  for (;;) {
    const v = await check()
    if (v) return v
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Drop files from the desktop onto `selector`: a real DataTransfer holding File objects with these bytes. */
async function dropPictures(selector: string, files: { name: string; type: string; bytes: Buffer }[]): Promise<void> {
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer()
    for (const f of list) {
      const raw = atob(f.base64)
      const bytes = new Uint8Array(raw.length)
      for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i)
      dt.items.add(new File([bytes], f.name, { type: f.type }))
    }
    return dt
  }, files.map((f) => ({ name: f.name, type: f.type, base64: f.bytes.toString('base64') })))
  for (const type of ['dragenter', 'dragover', 'drop']) await page.dispatchEvent(selector, type, { dataTransfer })
}

const cards = () => page.locator('[data-testid="scene-card"]')
const narration = (i: number) => cards().nth(i).locator('[data-testid="scene-narration"]')
/** The scene ids in strip order. */
const order = () => page.$$eval('[data-testid="scene-card"]', (els) => els.map((e) => (e as any).dataset.sceneId as string))
const completedRenders = () => page.locator('[data-testid="render-version"][data-status="completed"]').count()

/** Wait until the player shows a finished render other than `previous`, and answers its job id. */
async function waitForRender(previous: string | null, count: number): Promise<string> {
  await until(async () => (await completedRenders()) >= count, 60_000, `render ${count} to finish`)
  return until(
    () => page.evaluate((prev) => {
      const id = document.querySelector('[data-testid="player-video"]')?.getAttribute('data-job-id') as string | undefined
      return id && id !== prev ? id : null
    }, previous),
    10_000,
    'the player to show the new render'
  )
}

/** The player has the video's frames and its time moves once it plays. */
async function expectPlays(): Promise<void> {
  await page.waitForFunction(() => {
    const v = document.querySelector('[data-testid="player-video"]')
    return v && v.src && v.readyState >= 2
  }, null, { timeout: 20_000 })
  const t0 = await page.evaluate(async () => {
    const v = document.querySelector('[data-testid="player-video"]')
    v.muted = true
    await v.play()
    return v.currentTime as number
  })
  await page.waitForFunction((t) => (document.querySelector('[data-testid="player-video"]')?.currentTime ?? 0) > t + 0.2, t0, { timeout: 15_000 })
  await page.evaluate(() => document.querySelector('[data-testid="player-video"]').pause())
}

/** Type into a card's narration as a person does, then leave the field (which sends it). */
async function typeNarration(i: number, text: string): Promise<void> {
  const box = narration(i)
  await box.click()
  await box.press('ControlOrMeta+a')
  await page.keyboard.type(text, { delay: 5 })
  await box.blur()
}

describe('the storyboard editor in the browser (studio serve, real engine)', () => {
  it('drop, compose, narrate, render and play, edit and re-render reusing scene 1, job detail, reorder, undo', async () => {
    try {
      await story()
    } catch (err) {
      await screenshot(page, 'storyboard-failure').catch(() => undefined)
      throw err
    }
  }, 180_000)
})

async function story(): Promise<void> {
    const started = Date.now()
    await page.click('[data-testid="nav-projects"]')
    await page.fill('[data-testid="project-name"]', 'Coast film')
    await page.keyboard.press('Enter')
    await page.locator('[data-testid="project-view"]', { hasText: 'Coast film' }).waitFor()
    await page.locator('[data-testid="storyboard-empty"]').waitFor()

    // Two pictures from the desktop, dropped on the media bin.
    const picture = (color: string, label: string) =>
      sharp({ create: { width: 640, height: 640, channels: 3, background: color } })
        .composite([{ input: Buffer.from(`<svg width="640" height="640"><text x="320" y="360" font-size="120" text-anchor="middle" fill="white" font-family="sans-serif">${label}</text></svg>`) }])
        .png()
        .toBuffer()
    const [sea, dunes] = await Promise.all([picture('#2a6fb0', 'SEA'), picture('#c98a3c', 'DUNES')])
    await dropPictures('[data-testid="media-bin"]', [
      { name: 'sea.png', type: 'image/png', bytes: sea },
      { name: 'dunes.png', type: 'image/png', bytes: dunes }
    ])
    await until(async () => (await page.locator('[data-testid="asset"]').count()) === 2, 20_000, 'both pictures in the bin')
    // The drop was the workspace's: the app's "drop here" overlay is gone with it.
    expect(await page.locator('.drop-overlay').count()).toBe(0)
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="asset"] img')].filter((i: any) => i.complete && i.naturalWidth > 0).length === 2)
    await screenshot(page, 'storyboard-1-bin')

    // A storyboard from both: one scene per picture, square.
    for (const name of ['sea.png', 'dunes.png']) await page.locator('[data-testid="asset"]', { hasText: name }).locator('input[type="checkbox"]').check()
    await page.click('[data-testid="new-video"]')
    await page.locator('[data-testid="composer"]').waitFor()
    await page.selectOption('[data-testid="composer-format"]', '1:1')
    await screenshot(page, 'storyboard-2-composer')
    await page.click('[data-testid="composer-create"]')
    await until(async () => (await cards().count()) === 2, 15_000, 'two scene cards')
    const [s1, s2] = await order()

    // Narration typed into both cards, then a render that plays.
    await typeNarration(0, 'Waves roll over the blue sea.')
    await typeNarration(1, 'Golden dunes shift in the wind.')
    await expect.poll(() => page.locator('[data-testid="render-plan"]').textContent(), { timeout: 15_000 }).toMatch(/2 of 2 scenes changed/)
    await screenshot(page, 'storyboard-3-narrated')
    await page.click('[data-testid="render"]')
    await page.locator('[data-testid="render-progress"]').waitFor({ timeout: 10_000 }).catch(() => undefined) // may finish before it is seen
    const first = await waitForRender(null, 1)
    await expectPlays()
    await screenshot(page, 'storyboard-4-rendered')

    // Scene 2 rewritten, rendered again: scene 1's segment is reused, the new words are captioned.
    await typeNarration(1, 'Amber dunes glow at sunset.')
    await cards().nth(1).locator('[data-testid="scene-changed"]').waitFor({ timeout: 15_000 })
    await expect.poll(() => page.locator('[data-testid="render-plan"]').textContent(), { timeout: 15_000 }).toMatch(/1 of 2 scenes changed/)
    await page.click('[data-testid="render"]')
    const second = await waitForRender(first, 2)
    await cards().nth(0).locator('[data-testid="scene-reused"]').waitFor({ timeout: 15_000 })
    expect(await cards().nth(1).locator('[data-testid="scene-reused"]').count()).toBe(0)
    expect(await cards().nth(1).locator('[data-testid="scene-changed"]').count()).toBe(0)
    await expectPlays()
    await screenshot(page, 'storyboard-5-rerendered')

    // The finished job's detail opens on its player; its SRT, fetched where the app serves it, has the new words.
    await page.locator(`[data-testid="render-version"]`).first().locator('[data-testid="version-job"]').click()
    const detail = page.locator('[data-testid="job-detail"]')
    await detail.locator('[data-testid="job-result"] [data-testid="result-video"]').waitFor({ timeout: 15_000 })
    const heroTop = (await detail.locator('[data-testid="job-result"]').boundingBox())!.y
    expect(heroTop).toBeLessThan(400)
    // Steps, log and data come after it, collapsed.
    const more = detail.locator('[data-testid="job-details"]')
    expect((await more.boundingBox())!.y).toBeGreaterThan(heroTop)
    expect(await more.getAttribute('open')).toBeNull()
    expect(await detail.locator(`[title="${second}"]`).count()).toBe(1) // the second render's job
    // The job's own copy (exported as video.mp4), not the shared cache's hashed file.
    expect(await detail.locator('[data-testid="result-path"]').textContent()).toMatch(new RegExp(`^jobs/${second}/.*video\\.mp4$`))
    await screenshot(page, 'storyboard-6-job-detail')
    const srtUrl = await detail.locator('a[data-testid="media-name"][title$=".srt"]').first().getAttribute('href')
    expect(srtUrl).toBeTruthy()
    const srt = await page.evaluate((u) => fetch(u).then((r) => r.text()), srtUrl!)
    expect(srt).toMatch(/Amber dunes glow at sunset/)
    expect(srt).toMatch(/Waves roll over the blue sea/)
    expect(srt).not.toMatch(/Golden dunes/)

    // Back to the storyboard: reorder by drag, then by keyboard; Ctrl+Z undoes the last move.
    await detail.locator('[data-testid="result-storyboard"]').click()
    await until(async () => (await cards().count()) === 2, 10_000, 'the storyboard open again')
    await cards().nth(1).locator('[data-testid="scene-handle"]').dragTo(cards().nth(0), { targetPosition: { x: 30, y: 30 } })
    await until(async () => (await order()).join() === [s2, s1].join(), 10_000, 'scene 2 dragged first')
    await screenshot(page, 'storyboard-7-dragged')
    await cards().nth(0).focus()
    await page.keyboard.press('Alt+ArrowRight')
    await until(async () => (await order()).join() === [s1, s2].join(), 10_000, 'moved back by Alt+Right')
    expect(await page.locator('[data-testid="strip-announcement"]').textContent()).toMatch(/2/)
    // The moved card keeps the focus, so Ctrl+Z reaches the workspace, not a text field.
    await until(async () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'scene-card'), 5_000, 'the moved card focused')
    await page.keyboard.press('ControlOrMeta+z')
    await until(async () => (await order()).join() === [s2, s1].join(), 10_000, 'Ctrl+Z undid the keyboard move')
    await screenshot(page, 'storyboard-8-undone')

    expect(pageErrors).toEqual([])
    // Bounded: a loaded 2-core machine still does all of this in well under two minutes.
    expect(Date.now() - started).toBeLessThan(150_000)
}
