// @vitest-environment jsdom
import { render, screen, waitFor } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { JobTracker } from '../../src/renderer/src/components/tracker/JobTracker'
import { getStudio } from '../../src/renderer/src/store'
import { detail, fakeApi, job, ok, PIPELINES, step } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

/** A step on a model missing from the price table: the tracker must not call it free. */
describe('job tracker: unknown costs', () => {
  function show(steps: ReturnType<typeof step>[], costUsd: number) {
    const j = job({ title: 'Local llama', type: 'three', status: 'completed', costUsd, completedAt: 50, progress: 100 })
    getStudio().setPipelines(PIPELINES)
    getStudio().setJobs([j])
    getStudio().selectJob(j.id)
    render(
      <ApiProvider api={fakeApi({ 'jobs/get': ok(detail(j, steps)), 'jobs/logs': ok([]) }).api}>
        <JobTracker />
      </ApiProvider>
    )
  }

  it('shows "unknown" for an unpriced step and the job total as a lower bound', async () => {
    show(
      [
        step({ name: 'a', index: 0, status: 'completed', cost: null, costKnown: false, provider: '127.0.0.1:11434:llama3.2' }),
        step({ name: 'b', index: 1, status: 'completed', cost: 0.0125, costKnown: true }),
        step({ name: 'c', index: 2, status: 'completed', cost: 0, costKnown: true })
      ],
      0.0125
    )
    await waitFor(() => expect(screen.getAllByTestId('step')).toHaveLength(3))
    const costs = screen.getAllByTestId('step-cost').map((c) => c.textContent)
    expect(costs).toEqual(['unknown', '$0.0125', '$0.00'])
    expect(screen.getByTestId('job-cost').textContent).toBe('≥ $0.0125')
  })

  it('says "unknown" for a total when nothing priced was spent', async () => {
    show([step({ name: 'a', index: 0, status: 'completed', cost: null, costKnown: false })], 0)
    await waitFor(() => expect(screen.getAllByTestId('step')).toHaveLength(1))
    expect(screen.getByTestId('job-cost').textContent).toBe('unknown')
    expect(screen.getByTestId('step-cost').textContent).toBe('unknown')
  })
})
