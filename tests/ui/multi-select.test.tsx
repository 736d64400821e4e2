// @vitest-environment jsdom
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { TaskQueuePanel } from '../../src/renderer/src/components/queue/TaskQueuePanel'
import { JobTracker } from '../../src/renderer/src/components/tracker/JobTracker'
import { getStudio } from '../../src/renderer/src/store'
import { pickOnClick } from '../../src/renderer/src/store/pick'
import { detail, fakeApi, job, ok, PIPELINES, stats } from './fixtures'
import { installLayout } from './setup-dom'
import { answerQuestions } from './confirm-answers'

beforeEach(() => installLayout())

const bulkOk = (r: { ids?: string[] }) => ok({ done: r.ids?.length ?? 0, skipped: 0, results: (r.ids ?? []).map((id) => ({ id, outcome: 'done' })) })

function seed() {
  const jobs = ['A', 'B', 'C', 'D', 'E'].map((title) => job({ title, priority: 5 }))
  const done = job({ title: 'Done', status: 'completed', progress: 100, completedAt: 5 })
  const s = getStudio()
  s.setPipelines(PIPELINES)
  s.setJobs([...jobs, done])
  s.setStats(stats({ total: 6, byStatus: { pending: 5, processing: 0, paused: 0, completed: 1, failed: 0, cancelled: 0 } }))
  return { jobs, done }
}

function mount(ui: React.ReactElement) {
  const fake = fakeApi({
    'jobs/cancelMany': bulkOk,
    'jobs/retryMany': bulkOk,
    'jobs/removeMany': (r: { ids?: string[]; status?: unknown }) => (r.ids ? bulkOk(r) : ok({ done: 1, skipped: 0, results: [] })),
    'jobs/pauseMany': bulkOk,
    'jobs/resumeMany': bulkOk,
    'jobs/setPriorityMany': bulkOk,
    'jobs/get': (r: { id: string }) => ok(detail(getStudio().jobs[r.id]!, [])),
    'jobs/logs': ok([])
  })
  render(<ApiProvider api={fake.api}>{ui}</ApiProvider>)
  return fake
}

const row = (title: string) => screen.getByText(title, { selector: '.job-title' }).closest('li') as HTMLElement

describe('picking many jobs', () => {
  it('click, Shift-click a range, Ctrl-click toggles, then one call acts on all of them', async () => {
    const { jobs } = seed()
    const fake = mount(<TaskQueuePanel />)
    expect(screen.queryByTestId('bulk-bar')).toBeNull()
    fireEvent.click(row('B'))
    fireEvent.click(row('D'), { shiftKey: true })
    expect(screen.getByTestId('bulk-count').textContent).toBe('3 selected')
    fireEvent.click(row('C'), { ctrlKey: true })
    fireEvent.click(row('E'), { metaKey: true })
    expect(screen.getByTestId('bulk-count').textContent).toBe('3 selected')
    expect(['A', 'B', 'C', 'D', 'E'].map((x) => row(x).classList.contains('selected'))).toEqual([false, true, false, true, true])

    fireEvent.click(screen.getByTestId('bulk-pause'))
    await waitFor(() => expect(fake.of('jobs/pauseMany')).toEqual([{ ids: [jobs[1]!.id, jobs[3]!.id, jobs[4]!.id] }]))
    fireEvent.change(screen.getByTestId('bulk-priority'), { target: { value: '2' } })
    await waitFor(() => expect(fake.of('jobs/setPriorityMany')).toEqual([{ ids: [jobs[1]!.id, jobs[3]!.id, jobs[4]!.id], priority: 2 }]))

    // Queued jobs only: cancelled at once, with Undo for all of them.
    fireEvent.click(screen.getByTestId('bulk-cancel'))
    await waitFor(() => expect(fake.of('jobs/cancelMany')).toHaveLength(1))
    const undo = getStudio().notices.at(-1)!
    expect(undo.text).toBe('3 jobs cancelled')
    act(() => undo.action!.run())
    await waitFor(() => expect(fake.of('jobs/retryMany')).toEqual([{ ids: [jobs[1]!.id, jobs[3]!.id, jobs[4]!.id] }]))

    // Removing asks first; Escape lets go of the selection.
    const confirm = answerQuestions(false)
    fireEvent.click(screen.getByTestId('bulk-remove'))
    await waitFor(() => expect(confirm.asked).toEqual(['Delete 3 jobs with their files (rendered outputs and finished steps)? This cannot be undone.']))
    await waitFor(() => expect(getStudio().confirmation).toBeNull())
    expect(fake.of('jobs/removeMany')).toEqual([])
    fireEvent.keyDown(window, { key: 'Escape' })
    expect(screen.queryByTestId('bulk-bar')).toBeNull()
  })

  it('Ctrl/Cmd-A picks every job the list shows; Clear finished and Cancel all pending ask, then send one status request', async () => {
    seed()
    const fake = mount(<TaskQueuePanel />)
    fireEvent.keyDown(window, { key: 'a', ctrlKey: true })
    expect(screen.getByTestId('bulk-count').textContent).toBe('6 selected')
    answerQuestions(true)
    fireEvent.click(screen.getByTestId('clear-finished'))
    await waitFor(() => expect(fake.of('jobs/removeMany')).toEqual([{ status: ['completed', 'failed', 'cancelled'] }]))
    fireEvent.click(screen.getByTestId('cancel-all-pending'))
    await waitFor(() => expect(fake.of('jobs/cancelMany')).toEqual([{ status: 'pending' }]))
  })

  it('the job list picks the same way and shows the same actions', async () => {
    const { jobs } = seed()
    const fake = mount(<JobTracker />)
    const rows = screen.getAllByTestId('tracker-row')
    const a = rows.find((r) => r.textContent!.includes('A'))!
    const c = rows.find((r) => r.textContent!.includes('C'))!
    fireEvent.click(a)
    fireEvent.click(c, { shiftKey: true })
    expect(screen.getByTestId('bulk-count').textContent).toBe('3 selected')
    fireEvent.click(screen.getByTestId('bulk-resume'))
    await waitFor(() => expect(fake.of('jobs/resumeMany')).toEqual([{ ids: [jobs[0]!.id, jobs[1]!.id, jobs[2]!.id] }]))
  })

  it('the pure picking rules', () => {
    const ids = ['a', 'b', 'c', 'd']
    let s = pickOnClick({ picked: {}, anchor: null }, ids, 'c')
    s = pickOnClick(s, ids, 'a', { range: true })
    expect(Object.keys(s.picked).sort()).toEqual(['a', 'b', 'c'])
    s = pickOnClick(s, ids, 'b', { toggle: true })
    expect(Object.keys(s.picked).sort()).toEqual(['a', 'c'])
    s = pickOnClick(s, ids, 'd', { range: true, toggle: true })
    expect(Object.keys(s.picked).sort()).toEqual(['a', 'b', 'c', 'd'])
    expect(pickOnClick(s, ids, 'zz', { range: true }).picked).toEqual({ zz: true })
  })
})

describe('the list holds still under the pointer after an action', () => {
  it('cancelling a queued job keeps every row where it was until the pointer leaves the list', async () => {
    const { jobs } = seed()
    mount(<TaskQueuePanel />)
    const top = (title: string) => row(title).style.transform
    const before = { C: top('C'), D: top('D') }
    fireEvent.click(within(row('B')).getByTestId('cancel'))
    // The engine's answer: B is cancelled, which sorts it among the finished jobs at the bottom.
    act(() => getStudio().applyEvents([{ type: 'job.changed', job: { ...jobs[1]!, status: 'cancelled', completedAt: 9, updatedAt: jobs[1]!.updatedAt + 1 } }]))
    expect(row('B').dataset.status).toBe('cancelled')
    expect({ C: top('C'), D: top('D') }).toEqual(before)
    fireEvent.mouseLeave(screen.getByTestId('queue-list'))
    await waitFor(() => expect(top('C')).not.toBe(before.C))
  })
})
