// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { NewJobDialog } from '../../src/renderer/src/components/queue/NewJobDialog'
import { getStudio } from '../../src/renderer/src/store'
import { fakeApi, job, ok } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

const PIPELINES = [
  { name: 'video', title: 'Video', mainField: 'idea', fields: ['idea', 'language', 'preset', 'voice', 'images'], steps: [{ name: 'script', title: 'Script', resource: 'llm' }] },
  { name: 'music', title: 'Music', mainField: 'mood', fields: ['mood', 'durationSec'], steps: [{ name: 'generate', title: 'Compose', resource: 'music' }] }
]

describe('new job dialog: voice, format and length without JSON', () => {
  it('a video gets its voice and format from fields; a music job its length', async () => {
    getStudio().setLocale('en')
    getStudio().setPipelines(PIPELINES)
    const fake = fakeApi({ 'jobs/enqueue': ok(job({})) })
    render(
      <ApiProvider api={fake.api}>
        <NewJobDialog />
      </ApiProvider>
    )
    fireEvent.change(screen.getByTestId('job-text'), { target: { value: 'Why octopuses have three hearts' } })
    fireEvent.change(screen.getByTestId('job-voice'), { target: { value: 'fr+f3' } })
    fireEvent.change(screen.getByTestId('job-format'), { target: { value: 'landscape' } })
    expect(screen.queryByTestId('job-length')).toBeNull()
    fireEvent.click(screen.getByTestId('enqueue'))
    await waitFor(() => expect(fake.of('jobs/enqueue')).toHaveLength(1))
    expect((fake.of('jobs/enqueue')[0] as { input: unknown }).input).toMatchObject({ idea: 'Why octopuses have three hearts', voice: 'fr+f3', preset: 'landscape' })
  })

  it('a music job keeps the mood as typed and takes its length in seconds', async () => {
    getStudio().setLocale('en')
    getStudio().setPipelines(PIPELINES)
    const fake = fakeApi({ 'jobs/enqueue': ok(job({})) })
    render(
      <ApiProvider api={fake.api}>
        <NewJobDialog />
      </ApiProvider>
    )
    fireEvent.change(screen.getByTestId('job-type'), { target: { value: 'music' } })
    fireEvent.change(screen.getByTestId('job-text'), { target: { value: 'calm lo-fi for studying' } })
    fireEvent.change(screen.getByTestId('job-length'), { target: { value: '45' } })
    expect(screen.queryByTestId('job-voice')).toBeNull()
    fireEvent.click(screen.getByTestId('enqueue'))
    await waitFor(() => expect(fake.of('jobs/enqueue')).toHaveLength(1))
    expect((fake.of('jobs/enqueue')[0] as { input: unknown }).input).toEqual({ mood: 'calm lo-fi for studying', durationSec: 45 })
  })
})
