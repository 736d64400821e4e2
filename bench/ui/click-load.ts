/**
 * Click latency while the queue churns: LOAD_JOBS jobs in the queue, RATE of them finishing every
 * second (the engine marks them done: real job.changed events through the real bridge), and the
 * user clicking rows meanwhile. Prints, from Chromium's Event Timing (input to next paint), the
 * clicks' latency (median, p95, worst), and how busy the page's main thread was (long tasks'
 * share of the wall time). Figures only.
 */
import type { Browser } from 'playwright-core'
import { startBridge } from '../../src/main/bridge/server'
import { openTestEngine } from '../../tests/helpers/engine'
import { newPage } from '../../tests/e2e/helpers'

/** Used inside page.evaluate callbacks, which run in Chromium. */
declare const document: any

export interface ClickLoadFigures {
  clicks: number
  median: number
  p95: number
  worst: number
  busyShare: number
  eventsPerSecond: number
}

export async function clickLatencyUnderLoad(browser: Browser, jobs: number, rate: number, seconds = 10): Promise<ClickLoadFigures> {
  const engine = openTestEngine() // the pool is not started: jobs change only when the bench says
  const requests = Array.from({ length: jobs }, (_, i) => ({ type: 'one', title: `Clip ${i + 1} — coastal timelapse`, input: { label: `c${i}` }, priority: (i % 10) + 1 }))
  for (let i = 0; i < requests.length; i += 5_000) engine.queue.enqueueMany(requests.slice(i, i + 5_000))
  const ids = engine.queue.list({ limit: jobs }).map((j) => j.id)
  const bridge = await startBridge(engine)
  const { context, page } = await newPage(browser)
  try {
    await page.goto(bridge.url)
    await page.waitForFunction((n) => document.querySelector('[data-testid="queue-list"]')?.getAttribute('data-count') === String(n), jobs, { timeout: 120_000 })
    await page.evaluate(`(() => {
      window.__clicks = []
      window.__long = 0
      new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.name === 'click' || e.name === 'pointerdown' || e.name === 'pointerup') window.__clicks.push({ name: e.name, d: e.duration, t: e.startTime }) })
        .observe({ type: 'event', durationThreshold: 16, buffered: false })
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long += e.duration }).observe({ type: 'longtask' })
      window.__t0 = performance.now()
    })()`)
    // The churn: every 100 ms, RATE/10 queued jobs finish (as a worker would mark them), in the engine.
    let next = 0
    let sent = 0
    const started = Date.now()
    const churn = setInterval(() => {
      // One transaction per tick (a commit each would measure the disk, not the page).
      // As many as the rate asks for by now: a late timer catches up instead of lowering the rate.
      const due = Math.round(((Date.now() - started) / 1000) * rate) - next
      const batch = ids.slice(next, next + Math.max(0, due))
      next += batch.length
      if (batch.length) sent += engine.queue.cancelMany({ ids: batch }).done
    }, 100)
    // The user: a click on a row near the top every 300 ms (rows under the pointer keep changing).
    const box = (await page.locator('[data-testid="queue-list"]').boundingBox())!
    let clicks = 0
    while (Date.now() - started < seconds * 1000) {
      await page.mouse.click(box.x + box.width / 3, box.y + 20 + (clicks % 8) * 40)
      clicks++
      await new Promise((r) => setTimeout(r, 300))
    }
    clearInterval(churn)
    const elapsed = (Date.now() - started) / 1000
    const result = (await page.evaluate(`({ clicks: window.__clicks, long: window.__long, wall: performance.now() - window.__t0 })`)) as {
      clicks: { name: string; d: number; t: number }[]
      long: number
      wall: number
    }
    // One figure per click: its slowest event (pointerdown, pointerup or click), input to next paint.
    const byClick = new Map<number, number>()
    for (const e of result.clicks) {
      const key = Math.round(e.t / 150)
      byClick.set(key, Math.max(byClick.get(key) ?? 0, e.d))
    }
    // Event Timing reports only events over 16 ms: the rest count as 16.
    const durations = [...byClick.values(), ...Array(Math.max(0, clicks - byClick.size)).fill(16)].sort((a, b) => a - b)
    const at = (q: number) => durations[Math.min(durations.length - 1, Math.floor(durations.length * q))] ?? NaN
    return { clicks, median: at(0.5), p95: at(0.95), worst: durations[durations.length - 1] ?? NaN, busyShare: result.long / result.wall, eventsPerSecond: sent / elapsed }
  } finally {
    await context.close()
    await bridge.close()
    await engine.close(0)
  }
}
