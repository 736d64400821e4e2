// @vitest-environment jsdom
/**
 * The batch dialog shows what Start would take before it is pressed: batch/estimate with the same
 * source, sheet and config that batch/create would get, asked again when the config changes.
 */
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import type { BatchEstimate } from '../../src/shared/estimate'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { BatchCreateDialog } from '../../src/renderer/src/components/batch/BatchCreateDialog'
import { getStudio } from '../../src/renderer/src/store'
import { fakeApi, ok } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

const preview = {
  headers: ['Idée'],
  format: 'csv',
  encoding: 'utf-8',
  delimiter: ';',
  sampleRows: [{ rowNumber: 2, values: { Idée: 'Un phare' } }],
  mapping: { idea: 'Idée' },
  sheets: []
}

describe('batch dialog estimate', () => {
  it('shows "~time · cost" for the rows Start would queue, and asks again when the row range changes', async () => {
    getStudio().setPipelines([{ name: 'video', title: 'Video', mainField: 'idea', fields: ['idea'], steps: [] }])
    const estimate = (rows: number): BatchEstimate => ({ pipeline: 'video', rows, refused: 0, workMs: rows * 60_000, wallClockMs: rows * 30_000, costUsd: rows * 0.021, costKnown: true, timeUnknown: null })
    const fake = fakeApi({
      'batch/preview': ok(preview),
      'batch/estimate': (r) => ok(estimate((r as { config?: { rowRange?: unknown } }).config?.rowRange ? 2 : 4))
    })
    render(
      <ApiProvider api={fake.api}>
        <BatchCreateDialog sheet={{ name: 'idees.csv', contentBase64: 'SWQ=' }} />
      </ApiProvider>
    )
    await waitFor(() => expect(screen.getByTestId('batch-estimate').textContent).toBe('4 rows to queue · ~2m 00s · $0.084'), { timeout: 5_000 })
    expect(fake.of('batch/estimate')[0]).toMatchObject({ source: { kind: 'upload', name: 'idees.csv', contentBase64: 'SWQ=' }, config: { pipeline: 'video' } })
    fireEvent.change(screen.getByTestId('cfg-row-start'), { target: { value: '2' } })
    fireEvent.change(screen.getByTestId('cfg-row-end'), { target: { value: '3' } })
    await waitFor(() => expect(screen.getByTestId('batch-estimate').textContent).toBe('2 rows to queue · ~1m 00s · $0.042'), { timeout: 5_000 })
    expect(fake.of('batch/estimate').at(-1)).toMatchObject({ config: { rowRange: { start: 2, end: 3 } } })
    act(() => getStudio().setLocale('fr'))
    expect(screen.getByTestId('batch-estimate').textContent).toBe('2 lignes à lancer · ~1 min 00 s · 0,042\u00a0$US')
  })

  it('on a farm with no worker running, says the time is unknown and why, in both languages', async () => {
    getStudio().setLocale('en')
    getStudio().setPipelines([{ name: 'video', title: 'Video', mainField: 'idea', fields: ['idea'], steps: [] }])
    const fake = fakeApi({
      'batch/preview': ok(preview),
      'batch/estimate': ok({ pipeline: 'video', rows: 3, refused: 0, workMs: 180_000, wallClockMs: null, costUsd: 0.063, costKnown: true, timeUnknown: 'no-live-workers' } satisfies BatchEstimate)
    })
    render(
      <ApiProvider api={fake.api}>
        <BatchCreateDialog sheet={{ name: 'idees.csv', contentBase64: 'SWQ=' }} />
      </ApiProvider>
    )
    await waitFor(() => expect(screen.getByTestId('batch-estimate').textContent).toBe('3 rows to queue · time unknown: no worker is running on the farm · $0.063'), { timeout: 5_000 })
    act(() => getStudio().setLocale('fr'))
    expect(screen.getByTestId('batch-estimate').textContent).toBe('3 lignes à lancer · durée inconnue\u00a0: aucune machine de la ferme n’est en marche · 0,063\u00a0$US')
  })
})
