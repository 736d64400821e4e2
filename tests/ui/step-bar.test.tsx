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
  it('a job at its last step shows the steps before it done, though the long last step keeps the percentage low', () => {
    // Steps weigh by their expected time: a and b done but short, c (a render, say) most of the job.
    const rendering = job({ title: 'Rendering', status: 'processing', progress: 20, currentStep: 'c' })
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
    expect(row.querySelector('.pct')!.textContent).toBe('20%')
    expect(fills(bar)).toEqual(['scaleX(1)', 'scaleX(1)', 'scaleX(0)'])
    expect(bar.querySelectorAll('.segment')[2]!.classList.contains('segment-current')).toBe(true)

    // Live progress fills the current step's own segment.
    act(() => s.applyEvents([{ type: 'job.progress', jobId: rendering.id, progress: 60, step: 'c', stepProgress: 50, message: null }]))
    expect(fills(bar)).toEqual(['scaleX(1)', 'scaleX(1)', 'scaleX(0.5)'])
  })
})
