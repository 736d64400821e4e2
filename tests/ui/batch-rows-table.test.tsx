// @vitest-environment jsdom
/**
 * The batch page's results table against a fake transport serving a 100 000-row batch: only a
 * window of rows is in the DOM, scrolling asks the engine for the page there, filter chips ask
 * for one status, click / Shift+click / Ctrl+click select rows that Retry sends, image and video
 * outputs show a thumbnail by their file URL, and a storyboard row names its storyboard.
 */
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { BatchRowsTable } from '../../src/renderer/src/components/batch/BatchRowsTable'
import type { BatchRowStatus, BatchRowView } from '../../src/shared/types'
import { batch, fakeApi, ok } from './fixtures'
import { installLayout } from './setup-dom'
import { getStudio } from '../../src/renderer/src/store'

beforeEach(() => installLayout())

const TOTAL = 100_000
/** Row i (0-based) of the sheet: every 10th failed, every 7th an image, row 3 a storyboard. */
function sheetRow(i: number): BatchRowView {
  const rowNumber = i + 2
  const failed = i % 10 === 9
  return {
    rowNumber,
    main: `Idea number ${rowNumber}`,
    status: failed ? 'failed' : 'completed',
    jobId: `job-${rowNumber}`,
    outputPath: failed ? null : i % 7 === 0 ? `/data/projects/ideas/out/${rowNumber}.png` : i % 7 === 1 ? `/data/projects/ideas/out/${rowNumber}.mp4` : `/data/projects/ideas/out/${rowNumber}.txt`,
    durationMs: 1200,
    costUsd: 0.01,
    costKnown: true,
    error: failed ? `row ${rowNumber}: provider said no` : null,
    storyboardId: i === 1 ? 'sb-job-3' : null
  }
}
const FAILED = TOTAL / 10

function serve(request: { status?: BatchRowStatus; offset: number; limit: number }) {
  const counts = { completed: TOTAL - FAILED, failed: FAILED }
  const n = request.status === 'failed' ? FAILED : request.status ? (counts[request.status as 'completed'] ?? 0) : TOTAL
  const rows: BatchRowView[] = []
  for (let k = request.offset; k < Math.min(n, request.offset + request.limit); k++) {
    rows.push(request.status === 'failed' ? sheetRow(k * 10 + 9) : sheetRow(k))
  }
  return ok({ total: n, counts, offset: request.offset, rows })
}

function mount() {
  const fake = fakeApi({ 'batch/rows': serve, 'batch/retryRows': ok(batch({ totalRows: TOTAL })) })
  render(
    <ApiProvider api={fake.api}>
      <BatchRowsTable batch={batch({ totalRows: TOTAL, projectId: 'ideas' })} />
    </ApiProvider>
  )
  return fake
}

const rowsInDom = () => screen.queryAllByTestId('batch-row')
const row = (n: number) => rowsInDom().find((r) => r.dataset.row === String(n))!

describe('batch results table', () => {
  it('holds 100 000 rows with only a window of them in the DOM, and asks the engine for the page it scrolls to', async () => {
    const fake = mount()
    await waitFor(() => expect(row(2)).toBeTruthy())
    expect(screen.getByTestId('rows-scroll').getAttribute('aria-rowcount')).toBe(String(TOTAL))
    expect(rowsInDom().length).toBeGreaterThan(5)
    expect(rowsInDom().length).toBeLessThan(80)
    expect(fake.of('batch/rows')).toEqual([{ id: 'batch-1', offset: 0, limit: 200 }])
    expect(row(2).textContent).toContain('Idea number 2')

    const scroller = screen.getByTestId('rows-scroll')
    act(() => {
      scroller.scrollTop = 50_000 * 44
      fireEvent.scroll(scroller)
    })
    await waitFor(() => expect(fake.of('batch/rows')).toContainEqual({ id: 'batch-1', offset: 50_000, limit: 200 }))
    await waitFor(() => expect(row(50_002)).toBeTruthy())
    expect(rowsInDom().length).toBeLessThan(80)
    // Only the pages on screen were asked: never the whole batch.
    expect(fake.of('batch/rows').length).toBeLessThan(6)
  })

  it('shows thumbnails by file URL, the error, the storyboard a row made; the chips filter by status', async () => {
    const fake = mount()
    await waitFor(() => expect(row(2)).toBeTruthy())
    expect(within(row(2)).getByTestId('row-thumb').getAttribute('src')).toBe('/files?path=%2Fdata%2Fprojects%2Fideas%2Fout%2F2.png&token=t')
    expect(within(row(3)).getByTestId('row-thumb').tagName).toBe('VIDEO')
    // A row that made a storyboard opens it in its project.
    fireEvent.click(within(row(3)).getByTestId('row-storyboard'))
    expect(getStudio().view).toBe('projects')
    expect(row(11).textContent).toContain('row 11: provider said no')
    expect(screen.getByTestId('rows-filter-failed').textContent).toMatch(/Failed\s*10,000/)

    fireEvent.click(screen.getByTestId('rows-filter-failed'))
    await waitFor(() => expect(fake.of('batch/rows')).toContainEqual({ id: 'batch-1', status: 'failed', offset: 0, limit: 200 }))
    await waitFor(() => expect(screen.getByTestId('rows-scroll').getAttribute('aria-rowcount')).toBe(String(FAILED)))
    await waitFor(() => expect(row(11)).toBeTruthy())
    expect(rowsInDom().every((r) => /Failed/.test(r.textContent!))).toBe(true)
  })

  it('selects with click, Shift+click and Ctrl+click, and retries exactly the selected rows', async () => {
    const fake = mount()
    await waitFor(() => expect(row(2)).toBeTruthy())
    fireEvent.click(row(2))
    fireEvent.click(row(6), { shiftKey: true })
    await waitFor(() => expect(screen.getByTestId('rows-selected').textContent).toBe('5 rows selected'))
    fireEvent.click(row(4), { ctrlKey: true })
    await waitFor(() => expect(screen.getByTestId('rows-selected').textContent).toBe('4 rows selected'))
    expect(row(4).getAttribute('aria-selected')).toBe('false')
    expect(row(5).getAttribute('aria-selected')).toBe('true')
    fireEvent.click(row(9), { metaKey: true })
    fireEvent.click(screen.getByTestId('rows-retry'))
    await waitFor(() => expect(fake.of('batch/retryRows')).toEqual([{ id: 'batch-1', rows: [2, 3, 5, 6, 9] }]))
    await waitFor(() => expect(screen.queryByTestId('rows-selected')).toBeNull())
  })
})
