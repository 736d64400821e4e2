// @vitest-environment jsdom
import { act, render, screen } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { BatchDashboard } from '../../src/renderer/src/components/batch/BatchDashboard'
import { getStudio } from '../../src/renderer/src/store'
import { batch, fakeApi } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

describe('the batch dashboard in French', () => {
  it('sums up the configuration with labels, not stored identifiers', () => {
    getStudio().setLocale('fr')
    getStudio().setPipelines([{ name: 'video', title: 'Video from an idea', mainField: 'idea', fields: ['idea'], steps: [] }])
    getStudio().setBatches([batch()])
    render(
      <ApiProvider api={fakeApi().api}>
        <BatchDashboard />
      </ApiProvider>
    )
    const summary = screen.getByTestId('batch-config-summary').textContent!
    expect(summary).toMatch(/^Vidéo · /)
    expect(summary).not.toMatch(/Enhancement|Simulation\b|Focus\b/)
    getStudio().setLocale('en')
  })
})

describe('a batch still reading its sheet', () => {
  it('shows the rows read so far, then its progress once the import is done', () => {
    getStudio().setBatches([batch({ totalRows: 0, doneRows: 0, importing: { rowsRead: 12_345 } })])
    render(
      <ApiProvider api={fakeApi().api}>
        <BatchDashboard />
      </ApiProvider>
    )
    expect(screen.getByTestId('batch-progress').textContent).toBe('Reading the sheet… 12,345 rows so far')
    act(() => getStudio().upsertBatch(batch({ totalRows: 100_000, doneRows: 0, importing: null, updatedAt: 9_000 })))
    expect(screen.getByTestId('batch-progress').textContent).toMatch(/^0 \/ 100000 rows/)
  })
})
