// @vitest-environment jsdom
import { render, screen, waitFor } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { ProviderPanel } from '../../src/renderer/src/components/providers/ProviderPanel'
import { JobTracker } from '../../src/renderer/src/components/tracker/JobTracker'
import { getStudio } from '../../src/renderer/src/store'
import { detail, fakeApi, job, ok, PIPELINES, step } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

describe('words a user reads', () => {
  it("the pool's state in the providers panel is in the user's language", () => {
    getStudio().setLocale('fr')
    getStudio().setPool({ state: 'running', running: ['a', 'b'], concurrency: 2, resources: [] })
    render(
      <ApiProvider api={fakeApi().api}>
        <ProviderPanel />
      </ApiProvider>
    )
    expect(screen.getByText(/actif · 2/)).toBeTruthy()
    expect(screen.queryByText(/running · 2/)).toBeNull()
  })

  it('a job\'s retries are not read as "0 of 3 left": the 3 is attempts per step', async () => {
    getStudio().setLocale('en')
    const j = job({ title: 'Lake', type: 'three', status: 'completed', retryCount: 0, maxRetries: 3, completedAt: 5, progress: 100 })
    getStudio().setPipelines(PIPELINES)
    getStudio().setJobs([j])
    getStudio().selectJob(j.id)
    render(
      <ApiProvider api={fakeApi({ 'jobs/get': ok(detail(j, [step({ name: 'a', index: 0, status: 'completed' })])), 'jobs/logs': ok([]) }).api}>
        <JobTracker />
      </ApiProvider>
    )
    await waitFor(() => expect(screen.getByText('0 · up to 3 attempts per step')).toBeTruthy())
  })

  it("a video's steps are named in French in the French app (the engine names them in English)", async () => {
    getStudio().setLocale('fr')
    const j = job({ title: 'Lacs', type: 'video', status: 'completed', completedAt: 5, progress: 100 })
    getStudio().setJobs([j])
    getStudio().selectJob(j.id)
    const steps = [
      step({ name: 'visuals', index: 0, title: 'Make the visuals', status: 'completed' }),
      step({ name: 'video', index: 1, title: 'Render the video', status: 'completed' })
    ]
    render(
      <ApiProvider api={fakeApi({ 'jobs/get': ok(detail(j, steps)), 'jobs/logs': ok([]) }).api}>
        <JobTracker />
      </ApiProvider>
    )
    await waitFor(() => expect(screen.getAllByTestId('step')).toHaveLength(2))
    expect(screen.getAllByTestId('step').map((s) => s.querySelector('strong')!.textContent)).toEqual(['Créer les visuels', 'Rendre la vidéo'])
  })
})
