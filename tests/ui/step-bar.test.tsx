// @vitest-environment jsdom
import { act, render, screen, within } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { TaskQueuePanel } from '../../src/renderer/src/components/queue/TaskQueuePanel'
import { getStudio } from '../../src/renderer/src/store'
import { fakeApi, job, PIPELINES, stats } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

const fills = (bar: HTMLElement) => [...bar.querySelectorAll<HTMLElement>('.segment-fill')].map((f) => f.style.transform)

describe('step bar', () => {
  it('the percentage and the segments say the same: steps count equally, a live step fills its own share', () => {
    const rendering = job({ title: 'Rendering', status: 'processing', progress: 66.7, currentStep: 'c' })
    const s = getStudio()
    s.setPipelines(PIPELINES)
    s.setJobs([rendering])
    s.setStats(stats({ total: 1, byStatus: { pending: 0, processing: 1, paused: 0, completed: 0, failed: 0, cancelled: 0 } }))
    render(
      <ApiProvider api={fakeApi().api}>
        <TaskQueuePanel />
      </ApiProvider>
    )
    const row = screen.getByTestId('queue-row')
    const bar = within(row).getByRole('progressbar')
    expect(within(row).getByText('3/3 C')).toBeTruthy()
    expect(row.querySelector('.pct')!.textContent).toBe('66%')
    expect(fills(bar)).toEqual(['scaleX(1)', 'scaleX(1)', 'scaleX(0.001)'])
    expect(bar.querySelectorAll('.segment')[2]!.classList.contains('segment-current')).toBe(true)

    // Live progress: half of step c is 83 %, and the bar shows 2.5 of 3 segments.
    act(() => s.applyEvents([{ type: 'job.progress', jobId: rendering.id, progress: 83.3, step: 'c', stepProgress: 50, message: null }]))
    expect(row.querySelector('.pct')!.textContent).toBe('83%')
    expect(fills(bar)).toEqual(['scaleX(1)', 'scaleX(1)', 'scaleX(0.499)'])
  })

  it('a live tick older than the stored checkpoint does not take the bar back', () => {
    const j = job({ title: 'Checkpointed', status: 'processing', progress: 66.7, currentStep: 'c' })
    const s = getStudio()
    s.setPipelines(PIPELINES)
    s.setJobs([j])
    render(
      <ApiProvider api={fakeApi().api}>
        <TaskQueuePanel />
      </ApiProvider>
    )
    const row = screen.getByTestId('queue-row')
    // Step b's last tick (90 % of b = 63 %) arrives after b was stored as finished.
    act(() => s.applyEvents([{ type: 'job.progress', jobId: j.id, progress: 63.3, step: 'b', stepProgress: 90, message: null }]))
    expect(row.querySelector('.pct')!.textContent).toBe('66%')
  })

  it('whatever figure a job holds, the filled segments add up to the percentage shown', () => {
    // A figure stored by an older build (steps weighed by time): 20 % with the job at its last step.
    const old = job({ title: 'Old', status: 'processing', progress: 20, currentStep: 'c' })
    const s = getStudio()
    s.setPipelines(PIPELINES)
    s.setJobs([old])
    render(
      <ApiProvider api={fakeApi().api}>
        <TaskQueuePanel />
      </ApiProvider>
    )
    const row = screen.getByTestId('queue-row')
    const shown = fills(within(row).getByRole('progressbar')).map((f) => Number(/scaleX\((.*)\)/.exec(f)![1]))
    expect(row.querySelector('.pct')!.textContent).toBe('20%')
    expect(Math.round((shown.reduce((a, b) => a + b, 0) / shown.length) * 100)).toBe(20)
  })

  it('a failed job is marked at the step it stopped at, its percentage agreeing with the filled segments', () => {
    const failed = job({ title: 'Broke', status: 'failed', progress: 33.3, currentStep: 'b', error: 'b: no' })
    const s = getStudio()
    s.setPipelines(PIPELINES)
    s.setJobs([failed])
    render(
      <ApiProvider api={fakeApi().api}>
        <TaskQueuePanel />
      </ApiProvider>
    )
    const row = screen.getByTestId('queue-row')
    const bar = within(row).getByRole('progressbar')
    expect(row.querySelector('.pct')!.textContent).toBe('33%')
    expect(fills(bar)).toEqual(['scaleX(0.999)', 'scaleX(0)', 'scaleX(0)'])
    expect([...bar.querySelectorAll('.segment')].map((x) => x.classList.contains('segment-failed'))).toEqual([false, true, false])
  })
})
