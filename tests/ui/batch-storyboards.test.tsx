// @vitest-environment jsdom
/**
 * A batch that makes storyboards links each finished row to its storyboard (the job's
 * `result.output.storyboardId`); the link opens the project workspace on that storyboard.
 */
import { fireEvent, render, screen, within } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { BatchStoryboards, batchStoryboardRows, storyboardOfJob } from '../../src/renderer/src/components/batch/BatchStoryboards'
import { getStudio } from '../../src/renderer/src/store'
import { job } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

const row = (n: number, over: Parameters<typeof job>[0] = {}) =>
  job({
    id: `job-${n}`,
    type: 'storyboard-idea',
    projectId: 'bees',
    batchId: 'b1',
    title: `Idea ${n}`,
    status: 'completed',
    payload: { idea: `Idea ${n}`, meta: { batchId: 'b1', rowNumber: n } },
    result: { output: { storyboardId: `sb-job-${n}`, scenes: n + 2, renderJobId: null }, files: {} },
    ...over
  })

describe('batch rows and their storyboards', () => {
  it('reads the storyboard a finished row wrote, and nothing from rows that did not finish or wrote none', () => {
    expect(storyboardOfJob(row(1))).toBe('sb-job-1')
    expect(storyboardOfJob(row(1, { status: 'failed' }))).toBeNull()
    expect(storyboardOfJob(row(1, { result: { output: { video: '/x.mp4' } } }))).toBeNull()
    expect(storyboardOfJob(row(1, { result: null }))).toBeNull()
    expect(storyboardOfJob(row(1, { result: ['sb'] }))).toBeNull()
    const rows = batchStoryboardRows([row(3), row(1), row(2, { batchId: 'other' }), row(4, { status: 'processing' })], 'b1')
    expect(rows.map((r) => [r.rowNumber, r.storyboardId, r.scenes])).toEqual([
      [1, 'sb-job-1', 3],
      [3, 'sb-job-3', 5]
    ])
  })

  it('lists them in sheet order; a row opens its storyboard in the project workspace', () => {
    getStudio().setJobs([row(2), row(1), row(3, { status: 'failed' })])
    getStudio().setView('batches')
    render(<BatchStoryboards batchId="b1" pipeline="storyboard-idea" />)
    const rows = screen.getAllByTestId('batch-storyboard-row')
    expect(rows.map((r) => r.getAttribute('data-storyboard-id'))).toEqual(['sb-job-1', 'sb-job-2'])
    expect(rows[1]!.textContent).toMatch(/Idea 2 · 4 scenes/)
    fireEvent.click(within(rows[1]!).getByTestId('batch-open-storyboard'))
    const s = getStudio()
    expect([s.view, s.selectedProjectId, s.openStoryboards.bees]).toEqual(['projects', 'bees', 'sb-job-2'])
  })

  it('says none yet for a storyboard batch, and shows nothing for a batch of other jobs', () => {
    const { unmount } = render(<BatchStoryboards batchId="b1" pipeline="storyboard-idea" />)
    expect(screen.getByTestId('batch-storyboards').textContent).toMatch(/No storyboard yet/)
    unmount()
    render(<BatchStoryboards batchId="b1" pipeline="video" />)
    expect(screen.queryByTestId('batch-storyboards')).toBeNull()
  })
})
