// @vitest-environment jsdom
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { App } from '../../src/renderer/src/components/App'
import { getStudio } from '../../src/renderer/src/store'
import { fakeApi, job, ok, PIPELINES, stats } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

function mountApp(answers: Parameters<typeof fakeApi>[0] = {}) {
  const fake = fakeApi(answers)
  render(
    <ApiProvider api={fake.api}>
      <App />
    </ApiProvider>
  )
  return fake
}

const row = (title: string) => screen.getByText(title, { selector: '.job-title' }).closest('li') as HTMLElement

function seed(over: { paused?: boolean; waiting?: number } = {}) {
  const running = job({ title: 'Rendering', status: 'processing', progress: 50, currentStep: 'b' })
  const queued = job({ title: 'Queued', priority: 5 })
  const s = getStudio()
  s.setPipelines(PIPELINES)
  s.setJobs([running, queued])
  s.setStats(stats({ total: 2, byStatus: { pending: 1, processing: 1, paused: 0, completed: 0, failed: 0, cancelled: 0 }, waiting: over.waiting ?? 0, paused: over.paused ?? false }))
  s.setPool({ state: 'running', concurrency: 2, running: [running.id] } as never)
  if (over.paused) s.applyEvents([{ type: 'queue.changed', paused: true }])
  return { running, queued }
}

describe("the app's own confirm dialog", () => {
  it('cancelling a running render with a click asks first, in the app (never window.confirm); Escape keeps it running', async () => {
    const { running } = seed()
    const browserConfirm = vi.spyOn(window, 'confirm')
    const fake = mountApp()
    fireEvent.click(within(row('Rendering')).getByTestId('cancel'))
    const dialog = await screen.findByTestId('confirm-dialog')
    expect(dialog.getAttribute('role')).toBe('alertdialog')
    expect(dialog.textContent).toMatch(/“Rendering” is being processed/)
    // Focus is inside, on the answer; Tab stays inside.
    expect(document.activeElement).toBe(within(dialog).getByTestId('confirm-ok'))
    fireEvent.keyDown(document.activeElement!, { key: 'Tab' })
    expect(document.activeElement).toBe(within(dialog).getByTestId('confirm-cancel'))
    fireEvent.keyDown(document.activeElement!, { key: 'Tab', shiftKey: true })
    expect(document.activeElement).toBe(within(dialog).getByTestId('confirm-ok'))
    fireEvent.keyDown(dialog, { key: 'Escape' })
    await waitFor(() => expect(screen.queryByTestId('confirm-dialog')).toBeNull())
    expect(fake.of('jobs/cancel')).toEqual([])

    // Enter confirms.
    fireEvent.click(within(row('Rendering')).getByTestId('cancel'))
    fireEvent.keyDown(await screen.findByTestId('confirm-dialog'), { key: 'Enter' })
    await waitFor(() => expect(fake.of('jobs/cancel')).toEqual([{ id: running.id }]))
    expect(browserConfirm).not.toHaveBeenCalled()
  })

  it('cancelling a queued job acts at once and offers Undo, which queues it again', async () => {
    const { queued } = seed()
    const fake = mountApp({ 'jobs/cancel': ok(null), 'jobs/retry': ok(null) })
    fireEvent.click(within(row('Queued')).getByTestId('cancel'))
    await waitFor(() => expect(fake.of('jobs/cancel')).toEqual([{ id: queued.id }]))
    expect(screen.queryByTestId('confirm-dialog')).toBeNull()
    const notice = await screen.findByText('“Queued” cancelled')
    fireEvent.click(within(notice.closest('.notice') as HTMLElement).getByTestId('notice-action'))
    await waitFor(() => expect(fake.of('jobs/retry')).toEqual([{ id: queued.id }]))
    expect(screen.queryByText('“Queued” cancelled')).toBeNull()
  })
})

describe('labels that say what is true', () => {
  it('the status bar says the pool is paused while the queue is, not "running"', () => {
    seed({ paused: true })
    mountApp()
    expect(document.querySelector('.statusbar')!.textContent).toMatch(/Pool paused · 1\/2 workers/)
    act(() => getStudio().applyEvents([{ type: 'queue.changed', paused: false }]))
    expect(document.querySelector('.statusbar')!.textContent).toMatch(/Pool running · 1\/2 workers/)
  })

  it('with only jobs waiting for a dead provider, the queue promises no time', () => {
    const waiting = job({ title: 'Waiting', waitingReason: 'waiting for openai: 503', runAfter: Date.now() + 60_000 })
    const s = getStudio()
    s.setPipelines(PIPELINES)
    s.setJobs([waiting])
    s.setStats(stats({ total: 1, byStatus: { pending: 1, processing: 0, paused: 0, completed: 0, failed: 0, cancelled: 0 }, waiting: 1 }))
    s.setEta({ totalMs: 58_000, concurrency: 2, jobs: [] }, Date.now())
    mountApp()
    expect(screen.getByTestId('queue-eta').textContent).toBe('1 waiting for a provider: no estimate')
  })
})
