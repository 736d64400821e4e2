// @vitest-environment jsdom
import { act, render, screen, within } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { ProjectEditor } from '../../src/renderer/src/components/projects/ProjectEditor'
import { getStudio } from '../../src/renderer/src/store'
import { fakeApi, job, ok } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

describe('projects list, live', () => {
  it('shows `default` as soon as a job is filed there, without a reload (it said "No project yet")', () => {
    const s = getStudio()
    s.setProjects([])
    render(
      <ApiProvider api={fakeApi({ 'assets/list': ok([]), 'jobs/list': ok([]) }).api}>
        <ProjectEditor />
      </ApiProvider>
    )
    const list = screen.getByTestId('projects')
    expect(within(list).queryByText('default')).toBeNull()
    const first = job({ title: 'First idea', projectId: 'default' })
    act(() => s.applyEvents([{ type: 'job.changed', job: { ...first, createdAt: first.updatedAt } }]))
    expect(within(list.querySelector('.project-list') as HTMLElement).getByText('default')).toBeTruthy()
    expect(list.querySelector('.project-list')!.textContent).toMatch(/1 job/)
    // A second job of the same project does not list it twice.
    act(() => s.applyEvents([{ type: 'job.changed', job: job({ projectId: 'default' }) }]))
    expect(getStudio().projects.map((p) => p.id)).toEqual(['default'])
  })
})
