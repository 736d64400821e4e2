// @vitest-environment jsdom
import { act, createEvent, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { TaskQueuePanel } from '../../src/renderer/src/components/queue/TaskQueuePanel'
import { NewJobDialog } from '../../src/renderer/src/components/queue/NewJobDialog'
import { getStudio } from '../../src/renderer/src/store'
import { detail, fail, fakeApi, job, ok, PIPELINES, stats, step } from './fixtures'
import { installLayout } from './setup-dom'
import { answerQuestions } from './confirm-answers'

beforeEach(() => installLayout())

function seed() {
  const running = job({ title: 'Rendering', status: 'processing', progress: 50, currentStep: 'b', priority: 2 })
  const q1 = job({ title: 'First', priority: 5 })
  const q2 = job({ title: 'Second', priority: 5 })
  const q3 = job({ title: 'Third', priority: 5 })
  const q4 = job({ title: 'Fourth', priority: 5 })
  const failed = job({ title: 'Broken', status: 'failed', error: 'bad input for b', currentStep: 'b', completedAt: 99, progress: 33.3 })
  const waiting = job({ title: 'Waiting', priority: 6, waitingReason: 'waiting for openai: 503' })
  const s = getStudio()
  s.setPipelines(PIPELINES)
  s.setJobs([running, q1, q2, q3, q4, failed, waiting])
  s.setStats(stats({ total: 7, byStatus: { pending: 5, processing: 1, paused: 0, completed: 0, failed: 1, cancelled: 0 }, waiting: 1 }))
  s.setEta({ totalMs: 65_000, concurrency: 2, jobs: [{ jobId: q1.id, remainingWorkMs: 300, finishInMs: 12_000 }] }, Date.now())
  return { running, q1, q2, q3, q4, failed, waiting }
}

function mount(answers: Parameters<typeof fakeApi>[0] = {}) {
  // A move answers with the moved job, as the engine does (here: where it was, same priority).
  const moved = (r: { id: string }) => ok(getStudio().jobs[r.id])
  const fake = fakeApi({ 'jobs/move': moved, 'jobs/place': moved, ...answers })
  const view = render(
    <ApiProvider api={fake.api}>
      <TaskQueuePanel />
    </ApiProvider>
  )
  return { fake, view }
}

/** jsdom has no DragEvent: build the event and give it the pointer position the panel reads. */
function drag(type: 'dragOver' | 'drop', el: HTMLElement, dataTransfer: object, clientY: number) {
  const ev = createEvent[type](el, { dataTransfer })
  Object.defineProperty(ev, 'clientY', { value: clientY })
  fireEvent(el, ev)
}

const row = (title: string) => screen.getByText(title, { selector: '.job-title' }).closest('li') as HTMLElement

describe('task queue panel', () => {
  it('shows every job with its status colour, priority, one segment per step, step and ETA', () => {
    const { running, q1, failed, waiting } = seed()
    mount()
    expect(screen.getAllByTestId('queue-row')).toHaveLength(7)
    expect(row('Rendering').dataset.status).toBe('processing')
    expect(row('Waiting').dataset.status).toBe('waiting') // distinct from plain pending
    expect(within(row('Waiting')).getByText('Waiting for provider')).toBeTruthy()
    expect(row('Broken').dataset.status).toBe('failed')
    const bar = within(row('Rendering')).getByRole('progressbar')
    expect(bar.getAttribute('aria-valuenow')).toBe('50')
    expect(bar.querySelectorAll('.segment')).toHaveLength(3)
    expect(within(row('Rendering')).getByText('2/3 B')).toBeTruthy()
    expect(within(row('First')).getByText(/~12s/)).toBeTruthy()
    expect((within(row('First')).getByTestId('priority') as HTMLSelectElement).value).toBe('5')
    expect(screen.getByTestId('queue-eta').textContent).toMatch(/All done in ~1m 05s/)
    expect(screen.getByTestId('queue-eta').textContent).toMatch(/not counting 1 waiting for a provider/)
    // Queue positions count queued jobs only.
    expect(row('First').querySelector('.pos')!.textContent).toBe('1')
    void [running, q1, failed, waiting]
  })

  it('an estimate under a second reads "<1s", not "~<1s"', () => {
    const { q1 } = seed()
    act(() => getStudio().setEta({ totalMs: 400, concurrency: 2, jobs: [{ jobId: q1.id, remainingWorkMs: 300, finishInMs: 300 }] }, Date.now()))
    mount()
    expect(screen.getByTestId('queue-eta').textContent).toMatch(/All done in <1s, not counting 1 waiting for a provider$/)
    expect(within(row('First')).getByText('<1s')).toBeTruthy()
  })

  it('while the whole queue is paused, queued jobs say they finish when it is resumed, not in so many seconds', () => {
    const { running, q1, q2 } = seed()
    const s = getStudio()
    act(() => {
      s.setStats(stats({ total: 7, byStatus: { pending: 5, processing: 1, paused: 0, completed: 0, failed: 0, cancelled: 0 }, paused: true }))
      // As the engine answers while paused: no end time for the queue nor for the jobs that wait for it.
      s.setEta({ totalMs: null, concurrency: 2, jobs: [running, q1, q2].map((j) => ({ jobId: j.id, remainingWorkMs: 4_000, finishInMs: null })) }, Date.now())
    })
    mount()
    expect(screen.getByTestId('queue-eta').textContent).toBe('Queue paused')
    for (const title of ['Rendering', 'First', 'Second']) {
      const eta = row(title).querySelector('.eta') as HTMLElement
      expect(eta.textContent).toBe('When resumed')
      expect(eta.title).toMatch(/paused/)
    }
    act(() => s.setLocale('fr'))
    expect((row('First').querySelector('.eta') as HTMLElement).textContent).toBe('À la reprise')
  })

  it('a running job asked to pause says it finishes when resumed, and why', () => {
    const s = getStudio()
    s.setPipelines(PIPELINES)
    const pausing = job({ title: 'Pausing', status: 'processing', pauseRequested: true, currentStep: 'a' })
    s.setJobs([pausing])
    s.setStats(stats({ total: 1, byStatus: { pending: 0, processing: 1, paused: 0, completed: 0, failed: 0, cancelled: 0 } }))
    s.setEta({ totalMs: 0, concurrency: 2, jobs: [{ jobId: pausing.id, remainingWorkMs: 3_000, finishInMs: null }] }, Date.now())
    mount()
    const eta = row('Pausing').querySelector('.eta') as HTMLElement
    expect(eta.textContent).toBe('When resumed')
    expect(eta.title).toMatch(/pauses after its current step/)
  })

  it('work the estimate has not caught up with yet reads "Working…", never "Idle"; paused jobs alone are idle', () => {
    const s = getStudio()
    s.setPipelines(PIPELINES)
    s.setJobs([job({ title: 'Just claimed', status: 'processing' })])
    s.setStats(stats({ total: 1, byStatus: { pending: 0, processing: 1, paused: 0, completed: 0, failed: 0, cancelled: 0 } }))
    const { view } = mount()
    expect(screen.getByTestId('queue-eta').textContent).toBe('Working…')
    view.unmount()
    s.setJobs([job({ title: 'On hold', status: 'paused' })])
    s.setStats(stats({ total: 1, byStatus: { pending: 0, processing: 0, paused: 1, completed: 0, failed: 0, cancelled: 0 } }))
    mount()
    expect(screen.getByTestId('queue-eta').textContent).toBe('Idle')
  })

  it('a move that gave the job another priority says so; one that did not, does not', async () => {
    const { q4 } = seed()
    const notices = () => getStudio().notices.map((n) => n.text)
    const before = notices().length
    mount({ 'jobs/move': (r: { id: string }) => ok({ ...getStudio().jobs[r.id]!, priority: r.id === q4.id ? 3 : getStudio().jobs[r.id]!.priority }) })
    fireEvent.click(within(row('Second')).getByTestId('move-down'))
    fireEvent.click(within(row('Fourth')).getByTestId('move-up'))
    await waitFor(() => expect(notices().length).toBe(before + 1))
    expect(notices().at(-1)).toBe('“Fourth” now has priority 3 (was 5) to sit among the jobs it was moved to')
    await new Promise((r) => setTimeout(r, 50))
    expect(notices().length).toBe(before + 1) // the other move kept its priority: nothing said
  })

  it('moves with buttons, sets priority, cancels, retries and removes through the contract', async () => {
    const { q2, failed, q3 } = seed()
    const { fake } = mount()
    fireEvent.click(within(row('Second')).getByTestId('move-up'))
    fireEvent.click(within(row('Second')).getByTestId('move-top'))
    fireEvent.change(within(row('Third')).getByTestId('priority'), { target: { value: '1' } })
    fireEvent.click(within(row('Third')).getByTestId('cancel'))
    fireEvent.click(within(row('Broken')).getByTestId('retry'))
    fireEvent.click(within(row('Second')).getByTestId('toggle-pause'))
    // Third never ran, so it has no files: removed without a question.
    const confirm = answerQuestions(true)
    fireEvent.click(within(row('Third')).getByTestId('remove'))
    await waitFor(() => expect(fake.calls.length).toBeGreaterThanOrEqual(7))
    expect(fake.calls.map((c) => [c.command, c.request])).toEqual([
      ['jobs/move', { id: q2.id, direction: 'up' }],
      ['jobs/move', { id: q2.id, direction: 'top' }],
      ['jobs/setPriority', { id: q3.id, priority: 1 }],
      ['jobs/cancel', { id: q3.id }],
      ['jobs/retry', { id: failed.id }],
      ['jobs/pause', { id: q2.id }],
      ['jobs/remove', { id: q3.id }]
    ])
    expect(confirm.asked).toEqual([])
  })

  it('a processing job cannot be reordered: the buttons say why and send nothing', () => {
    seed()
    const { fake } = mount()
    const up = within(row('Rendering')).getByTestId('move-up')
    expect(up.getAttribute('aria-disabled')).toBe('true')
    expect(up.getAttribute('title')).toMatch(/Processing jobs cannot be reordered/)
    expect((within(row('Rendering')).getByTestId('priority') as HTMLSelectElement).disabled).toBe(true)
    expect(row('Rendering').getAttribute('draggable')).toBe('false')
    fireEvent.click(up)
    expect(fake.calls).toEqual([])
    expect(getStudio().notices.at(-1)!.text).toMatch(/cannot be reordered/)
    // The first queued job cannot go further up.
    expect(within(row('First')).getByTestId('move-up').getAttribute('aria-disabled')).toBe('true')
  })

  it("shows the server's refusal when a race happens (the job started meanwhile)", async () => {
    seed()
    mount({ 'jobs/move': fail('processing', 'job is being processed; it cannot be reordered until it finishes, is paused or is cancelled') })
    fireEvent.click(within(row('Second')).getByTestId('move-down'))
    await waitFor(() => expect(getStudio().notices.at(-1)?.text).toMatch(/job is being processed/))
  })

  it('drag and drop is one placement: Fourth dropped before First goes to the top', async () => {
    const { q4, q1 } = seed()
    const { fake } = mount()
    const data = new Map<string, string>()
    const dataTransfer = { setData: (k: string, v: string) => data.set(k, v), getData: (k: string) => data.get(k), types: ['application/x-studio-job'], effectAllowed: '', dropEffect: '' }
    fireEvent.dragStart(row('Fourth'), { dataTransfer })
    drag('dragOver', row('First'), dataTransfer, 5)
    expect(row('First').className).toMatch(/drop-before/)
    drag('drop', row('First'), dataTransfer, 5)
    await waitFor(() => expect(fake.of('jobs/place')).toEqual([{ id: q4.id, before: q1.id }]))
  })

  it('drag a job one place down = placed after the next one; dropping on a running job is refused', async () => {
    const { q1, q3 } = seed()
    const { fake } = mount()
    const dataTransfer = { setData: () => {}, getData: () => '', types: ['application/x-studio-job'], effectAllowed: '', dropEffect: '' }
    fireEvent.dragStart(row('First'), { dataTransfer })
    drag('dragOver', row('Rendering'), dataTransfer, 5)
    expect(row('Rendering').className).not.toMatch(/drop-/)
    drag('dragOver', row('Second'), dataTransfer, 700) // lower half: after Second
    expect(row('Second').className).toMatch(/drop-after/)
    drag('drop', row('Second'), dataTransfer, 700)
    // After Second means before Third, the job that will follow it.
    await waitFor(() => expect(fake.of('jobs/place')).toEqual([{ id: q1.id, before: q3.id }]))
  })

  it('keyboard: arrows select, Alt+arrows move, Home/End, Space, C, R, Del', async () => {
    const { q1, q2, failed } = seed()
    const { fake } = mount()
    // Nothing here has files or is running: C and Del act without asking.
    const confirm = answerQuestions(false)
    act(() => getStudio().selectJob(q1.id))
    fireEvent.keyDown(window, { key: 'ArrowDown' })
    expect(getStudio().selectedJobId).toBe(q2.id)
    fireEvent.keyDown(window, { key: 'ArrowDown', altKey: true })
    fireEvent.keyDown(window, { key: 'Home' })
    fireEvent.keyDown(window, { key: 'End' })
    fireEvent.keyDown(window, { key: ' ' })
    fireEvent.keyDown(window, { key: 'c' })
    fireEvent.keyDown(window, { key: '[' })
    act(() => getStudio().selectJob(failed.id))
    fireEvent.keyDown(window, { key: 'r' })
    fireEvent.keyDown(window, { key: 'Delete' })
    await waitFor(() => expect(fake.calls.length).toBe(8))
    expect(fake.calls.map((c) => [c.command, (c.request as { direction?: string }).direction ?? (c.request as { priority?: number }).priority ?? ''])).toEqual([
      ['jobs/move', 'down'],
      ['jobs/move', 'top'],
      ['jobs/move', 'bottom'],
      ['jobs/pause', ''],
      ['jobs/cancel', ''],
      ['jobs/setPriority', 4],
      ['jobs/retry', ''],
      ['jobs/remove', '']
    ])
    expect(confirm.asked).toEqual([])
  })

  it('removing a finished render asks first, naming the job and its files; saying no keeps it', async () => {
    seed()
    const done = job({ title: 'Final cut', status: 'completed', progress: 100, startedAt: 1, completedAt: 2, result: { video: '/d/jobs/x/video.mp4' } })
    act(() => getStudio().setJobs([...Object.values(getStudio().jobs), done]))
    const { fake } = mount()
    const confirm = answerQuestions(false)
    fireEvent.click(within(row('Final cut')).getByTestId('remove'))
    await waitFor(() => expect(confirm.asked).toHaveLength(1))
    expect(confirm.asked[0]).toMatch(/“Final cut”.*files.*deleted/)
    await waitFor(() => expect(getStudio().confirmation).toBeNull())
    expect(fake.of('jobs/remove')).toEqual([])
    confirm.answerWith(true)
    fireEvent.click(within(row('Final cut')).getByTestId('remove'))
    await waitFor(() => expect(fake.of('jobs/remove')).toEqual([{ id: done.id }]))
  })

  it('Del on a failed job asks when one of its steps left files, not when none did', async () => {
    seed()
    const withFiles = job({ title: 'Half done', status: 'failed', startedAt: 1, completedAt: 2, error: 'video step failed' })
    const empty = job({ title: 'Failed early', status: 'failed', startedAt: 1, completedAt: 2, error: 'bad idea' })
    act(() => getStudio().setJobs([...Object.values(getStudio().jobs), withFiles, empty]))
    const { fake } = mount({
      'jobs/get': (r: { id: string }) =>
        ok(detail(r.id === withFiles.id ? withFiles : empty, [
          step({ name: 'a', index: 0, status: 'completed', files: r.id === withFiles.id ? { narration: '/d/jobs/h/a/narration.wav' } : {} }),
          step({ name: 'b', index: 1, status: 'failed' })
        ]))
    })
    const confirm = answerQuestions(false)
    act(() => getStudio().selectJob(withFiles.id))
    fireEvent.keyDown(window, { key: 'Delete' })
    await waitFor(() => expect(confirm.asked).toHaveLength(1))
    expect(confirm.asked[0]).toMatch(/“Half done”.*files/)
    await waitFor(() => expect(getStudio().confirmation).toBeNull())
    expect(fake.of('jobs/remove')).toEqual([])
    expect(getStudio().selectedJobId).toBe(withFiles.id) // declined: the selection stays on it
    act(() => getStudio().selectJob(empty.id))
    fireEvent.keyDown(window, { key: 'Delete' })
    await waitFor(() => expect(fake.of('jobs/remove')).toEqual([{ id: empty.id }]))
    expect(confirm.asked).toHaveLength(1)
  })

  it('C on a processing job asks before cancelling it', async () => {
    const { running } = seed()
    const { fake } = mount()
    const confirm = answerQuestions(false)
    act(() => getStudio().selectJob(running.id))
    fireEvent.keyDown(window, { key: 'c' })
    await waitFor(() => expect(confirm.asked).toHaveLength(1))
    expect(confirm.asked[0]).toMatch(/“Rendering” is being processed/)
    await waitFor(() => expect(getStudio().confirmation).toBeNull())
    expect(fake.of('jobs/cancel')).toEqual([])
    confirm.answerWith(true)
    fireEvent.keyDown(window, { key: 'c' })
    await waitFor(() => expect(fake.of('jobs/cancel')).toEqual([{ id: running.id }]))
  })

  it('pauses and resumes the whole queue, and runs the pool now', async () => {
    seed()
    const { fake } = mount()
    fireEvent.click(screen.getByTestId('queue-toggle'))
    act(() => getStudio().applyEvents([{ type: 'queue.changed', paused: true }]))
    expect(screen.getByTestId('queue-toggle').textContent).toMatch(/Resume queue/)
    // "Run now" would do nothing while the queue is paused: disabled, and it says why.
    expect((screen.getByTestId('kick') as HTMLButtonElement).disabled).toBe(true)
    expect(screen.getByTestId('kick').title).toBe('The queue is paused: resume it to run jobs')
    fireEvent.click(screen.getByTestId('queue-toggle'))
    act(() => getStudio().applyEvents([{ type: 'queue.changed', paused: false }]))
    fireEvent.click(screen.getByTestId('kick'))
    await waitFor(() => expect(fake.calls.map((c) => c.command)).toEqual(['queue/pause', 'queue/resume', 'pool/kick']))
  })

  it('filters queued and finished jobs', () => {
    seed()
    mount()
    fireEvent.click(screen.getByRole('radio', { name: 'Finished' }))
    expect(screen.getAllByTestId('queue-row').map((r) => r.dataset.status)).toEqual(['failed'])
    fireEvent.click(screen.getByRole('radio', { name: 'Queue' }))
    expect(screen.getAllByTestId('queue-row')).toHaveLength(6)
  })

  it('renders a window of rows, not ten thousand', () => {
    const s = getStudio()
    s.setPipelines(PIPELINES)
    s.setJobs(Array.from({ length: 10_000 }, () => job()))
    mount()
    const rows = screen.getAllByTestId('queue-row')
    expect(rows.length).toBeGreaterThan(10)
    expect(rows.length).toBeLessThan(60)
    expect(screen.getByTestId('queue-list').dataset.count).toBe('10000')
  })
})

describe('new job dialog', () => {
  it('enqueues the chosen type with its main field, priority and project', async () => {
    getStudio().setPipelines([...PIPELINES, { name: 'video', title: 'Video', mainField: 'idea', fields: ['idea', 'language'], steps: [] }])
    const fake = fakeApi({ 'jobs/enqueue': ok(job()) })
    render(
      <ApiProvider api={fake.api}>
        <NewJobDialog />
      </ApiProvider>
    )
    fireEvent.change(screen.getByTestId('job-type'), { target: { value: 'video' } })
    fireEvent.change(screen.getByTestId('job-text'), { target: { value: 'A lighthouse at dawn' } })
    fireEvent.change(screen.getByTestId('job-priority'), { target: { value: '2' } })
    fireEvent.click(screen.getByTestId('enqueue'))
    await waitFor(() => expect(fake.of('jobs/enqueue')).toHaveLength(1))
    expect(fake.of('jobs/enqueue')[0]).toEqual({ type: 'video', input: { idea: 'A lighthouse at dawn', language: 'en' }, priority: 2, projectId: 'default' })
  })

  it('shows the server message for a bad input and keeps the dialog open', async () => {
    getStudio().setPipelines(PIPELINES)
    getStudio().setNewJobOpen(true)
    const fake = fakeApi({ 'jobs/enqueueMany': fail('bad_request', 'jobs[0].input.fail.b.kind: Invalid option') })
    render(
      <ApiProvider api={fake.api}>
        <NewJobDialog />
      </ApiProvider>
    )
    fireEvent.change(screen.getByTestId('job-count'), { target: { value: '3' } })
    fireEvent.change(screen.getByTestId('job-json'), { target: { value: '{"fail":{"b":{"kind":"nope"}}}' } })
    fireEvent.click(screen.getByTestId('enqueue'))
    await waitFor(() => expect(screen.getByTestId('form-error').textContent).toMatch(/input\.fail\.b\.kind/))
    expect((fake.of('jobs/enqueueMany')[0] as { jobs: unknown[] }).jobs).toHaveLength(3)
    expect(getStudio().newJobOpen).toBe(true)
    vi.restoreAllMocks()
  })
})
