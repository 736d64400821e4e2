// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { BatchDashboard } from '../../src/renderer/src/components/batch/BatchDashboard'
import { getStudio } from '../../src/renderer/src/store'
import { batch, fakeApi, stats } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

function mount() {
  render(
    <ApiProvider api={fakeApi().api}>
      <BatchDashboard />
    </ApiProvider>
  )
}

describe('batch dashboard', () => {
  it('while the queue is paused, a running batch ends "when resumed", not at a time', () => {
    getStudio().setLocale('en')
    getStudio().setBatches([batch({ status: 'running', estimatedEndAt: null })])
    getStudio().setStats(stats({ paused: true }))
    mount()
    expect(screen.getByTestId('batch-remaining').textContent).toContain('When resumed')
    expect(screen.getByTestId('batch-remaining').textContent).toContain('the queue is paused')
  })

  it('names the sheet’s columns that no job gets', () => {
    getStudio().setLocale('fr')
    getStudio().setStats(stats({ paused: false }))
    getStudio().setBatches([batch({ ignoredColumns: ['draft', 'notes'] })])
    mount()
    expect(screen.getByTestId('batch-ignored-columns').textContent).toMatch(/Les colonnes «\u00a0draft\u00a0», «\u00a0notes\u00a0» ne sont pas utilisées/)
  })

  it('in English, the unused columns are quoted the English way, never « »', () => {
    getStudio().setLocale('en')
    getStudio().setStats(stats({ paused: false }))
    getStudio().setBatches([batch({ ignoredColumns: ['notes'] })])
    mount()
    const text = screen.getByTestId('batch-ignored-columns').textContent!
    expect(text).toContain('“notes”')
    expect(text).not.toMatch(/[«»]/)
  })

  it('a stopped batch names its cancelled rows, so its progress adds up', () => {
    getStudio().setLocale('fr')
    getStudio().setStats(stats({ paused: false }))
    getStudio().setBatches([batch({ status: 'stopped', totalRows: 8, doneRows: 1, cancelledRows: 4, progress: 62.5 })])
    mount()
    expect(screen.getByTestId('batch-counts').textContent).toContain('annulées\u00a0: 4')
  })

  it('exports for the spreadsheet app of the user\'s language: semicolons in French', async () => {
    getStudio().setLocale('fr')
    getStudio().setStats(stats({ paused: false }))
    getStudio().setBatches([batch({ status: 'completed' })])
    const api = fakeApi({ 'batch/export': { ok: false, error: { code: 'internal', message: 'not in this test' } } })
    render(
      <ApiProvider api={api.api}>
        <BatchDashboard />
      </ApiProvider>
    )
    fireEvent.click(screen.getByTestId('batch-export-results'))
    await waitFor(() => expect(api.of('batch/export')).toEqual([expect.objectContaining({ what: 'results', delimiter: ';' })]))
  })
})
