/**
 * UI bench: 10 000 jobs in the queue of a real engine (temp folder), served by the real bridge,
 * loaded in Debian's Chromium. Prints time to first paint, time until the queue list is
 * interactive (the renderer's `studio:queue-interactive` mark), DOM rows rendered, and frame
 * times while scrolling (wheel-like, and the whole list in 2 s). Figures only. Headless Chromium
 * here rasterizes in software (--disable-gpu), so frame times are an upper bound.
 *
 * Then click latency under load (see click-load.ts): --load-jobs jobs (default 20 000), --rate of
 * them finishing per second (default 100), for --load-seconds (default 10).
 *
 *   node --import tsx bench/ui/run.ts [--jobs 10000] [--runs 3] [--load-jobs 20000] [--rate 100] [--load-seconds 10]
 */
import { parseArgs } from 'node:util'
import { startBridge } from '../../src/main/bridge/server'
import { openTestEngine } from '../../tests/helpers/engine'
import { ensureRenderer, launchChromium } from '../../tests/e2e/helpers'
import { clickLatencyUnderLoad } from './click-load'

/** Used inside page.evaluate callbacks, which run in Chromium. */
declare const document: any

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    'load-jobs': { type: 'string', default: '20000' },
    rate: { type: 'string', default: '100' },
    'load-seconds': { type: 'string', default: '10' }
  }
})
const JOBS = Number(values.jobs)
const RUNS = Number(values.runs)

await ensureRenderer()
const engine = openTestEngine() // the pool is not started: every job stays queued
const t0 = performance.now()
const requests = Array.from({ length: JOBS }, (_, i) => ({
  type: i % 3 === 0 ? 'remote' : 'three',
  title: `Storyboard ${i + 1} — coastal timelapse`,
  input: { label: `job${i}` },
  priority: (i % 10) + 1
}))
for (let i = 0; i < requests.length; i += 5_000) engine.queue.enqueueMany(requests.slice(i, i + 5_000))
const enqueueMs = performance.now() - t0
const bridge = await startBridge(engine)
const browser = await launchChromium()

interface Run {
  firstPaint: number
  firstContentfulPaint: number
  interactive: number
  rows: number
  domNodes: number
  heapMb: number
  scrollAvgFrame: number
  scrollMaxFrame: number
  scrollFrames: number
  wheelAvg: number
  wheelP95: number
}

const results: Run[] = []
for (let run = 0; run < RUNS; run++) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  const page = await context.newPage()
  await page.goto(bridge.url)
  await page.waitForFunction(() => performance.getEntriesByName('studio:queue-interactive').length > 0, null, { timeout: 60_000 })
  await page.waitForFunction((n) => document.querySelector('[data-testid="queue-list"]')?.getAttribute('data-count') === String(n), JOBS)
  const figures = await page.evaluate(() => {
    const paint = Object.fromEntries((performance.getEntriesByType as (t: string) => { name: string; startTime: number }[])('paint').map((e) => [e.name, e.startTime]))
    const mark = performance.getEntriesByName('studio:queue-interactive')[0]!.startTime
    const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory
    return {
      firstPaint: paint['first-paint'] ?? NaN,
      firstContentfulPaint: paint['first-contentful-paint'] ?? NaN,
      interactive: mark,
      rows: document.querySelectorAll('[data-testid="queue-row"]').length,
      domNodes: document.getElementsByTagName('*').length,
      heapMb: memory ? memory.usedJSHeapSize / 1024 / 1024 : NaN
    }
  })
  // Scroll the whole list in 2 s and record frame intervals.
  // (A string, not a function: tsx's name helpers do not exist in the page.)
  const scroll = (await page.evaluate(`new Promise((resolve) => {
    const el = document.querySelector('[data-testid="queue-list"]')
    const total = el.scrollHeight - el.clientHeight
    const start = performance.now()
    let last = start
    const gaps = []
    const step = (now) => {
      gaps.push(now - last)
      last = now
      const t = Math.min(1, (now - start) / 2000)
      el.scrollTop = total * t
      if (t < 1) requestAnimationFrame(step)
      else {
        const g = gaps.slice(1)
        resolve({ avg: g.reduce((a, b) => a + b, 0) / Math.max(1, g.length), max: Math.max(...g), frames: gaps.length })
      }
    }
    requestAnimationFrame(step)
  })`)) as { avg: number; max: number; frames: number }
  // Wheel-like scrolling: 120 px (three rows) per frame for 120 frames.
  const wheel = (await page.evaluate(`new Promise((resolve) => {
    const el = document.querySelector('[data-testid="queue-list"]')
    el.scrollTop = 0
    let last = 0
    let n = 0
    const gaps = []
    const step = (now) => {
      if (last) gaps.push(now - last)
      last = now
      el.scrollTop += 120
      if (++n < 120) requestAnimationFrame(step)
      else resolve({ avg: gaps.reduce((a, b) => a + b, 0) / gaps.length, p95: gaps.slice().sort((a, b) => a - b)[Math.floor(gaps.length * 0.95)] })
    }
    requestAnimationFrame(step)
  })`)) as { avg: number; p95: number }
  results.push({ ...figures, scrollAvgFrame: scroll.avg, scrollMaxFrame: scroll.max, scrollFrames: scroll.frames, wheelAvg: wheel.avg, wheelP95: wheel.p95 })
  await context.close()
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmt = (n: number, unit = 'ms') => (Number.isFinite(n) ? `${n.toFixed(0)} ${unit}` : '—')
if (RUNS > 0) {
console.log(`UI bench — ${JOBS.toLocaleString('en')} queued jobs, ${RUNS} cold page loads, Chromium headless (${process.platform}, ${(await import('node:os')).cpus().length} cores)`)
console.log(`  enqueueMany into SQLite            ${fmt(enqueueMs)}`)
console.log(`  first paint                        ${fmt(median(results.map((r) => r.firstPaint)))}   (runs: ${results.map((r) => r.firstPaint.toFixed(0)).join(', ')})`)
console.log(`  first contentful paint             ${fmt(median(results.map((r) => r.firstContentfulPaint)))}`)
console.log(`  queue list interactive (all jobs)  ${fmt(median(results.map((r) => r.interactive)))}   (runs: ${results.map((r) => r.interactive.toFixed(0)).join(', ')})`)
console.log(`  DOM rows rendered                  ${median(results.map((r) => r.rows))} of ${JOBS}`)
console.log(`  DOM elements in the page           ${median(results.map((r) => r.domNodes))}`)
console.log(`  JS heap after load                 ${fmt(median(results.map((r) => r.heapMb)), 'MB')}`)
console.log(`  wheel scrolling (120 px per frame)  avg frame ${median(results.map((r) => r.wheelAvg)).toFixed(1)} ms, p95 ${median(results.map((r) => r.wheelP95)).toFixed(0)} ms`)
console.log(
  `  scrolling all rows in 2 s          ${median(results.map((r) => r.scrollFrames))} frames, avg ${median(results.map((r) => r.scrollAvgFrame)).toFixed(1)} ms, worst ${median(results.map((r) => r.scrollMaxFrame)).toFixed(0)} ms`
)

}
await bridge.close()
await engine.close(0)

const loadJobs = Number(values['load-jobs'])
if (loadJobs > 0) {
  const rate = Number(values.rate)
  const load = await clickLatencyUnderLoad(browser, loadJobs, rate, Number(values['load-seconds']))
  console.log(`Clicks under load — ${loadJobs.toLocaleString('en')} jobs, ~${load.eventsPerSecond.toFixed(0)} finishing per second, ${load.clicks} clicks on rows`)
  console.log(`  click → next paint                 median ${load.median.toFixed(0)} ms, p95 ${load.p95.toFixed(0)} ms, worst ${load.worst.toFixed(0)} ms`)
  console.log(`  main thread busy (long tasks)      ${(load.busyShare * 100).toFixed(0)} %`)
}
await browser.close()
