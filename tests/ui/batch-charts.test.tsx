// @vitest-environment jsdom
import { act, render, screen } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { BatchDashboard } from '../../src/renderer/src/components/batch/BatchDashboard'
import { getStudio } from '../../src/renderer/src/store'
import { batch, fakeApi } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => {
  installLayout()
  getStudio().setLocale('en')
})

/** What the engine sends for a batch that ran a while before this window opened. */
const HISTORY = [
  { t: 1_000, done: 0, failed: 0, costUsd: 0 },
  { t: 2_000, done: 1, failed: 0, costUsd: 0.03 },
  { t: 3_000, done: 2, failed: 1, costUsd: 0.09 },
  { t: 4_000, done: 4, failed: 1, costUsd: 0.12 }
]

/** Points a sparkline draws: one M or L command per point; a chart with no data draws none. */
function points(label: string): number {
  const line = screen.getByRole('img', { name: label }).querySelector('path.chart-line')
  return line ? (line.getAttribute('d')!.match(/[ML]/g) ?? []).length : 0
}

function mountDashboard() {
  const fake = fakeApi()
  render(
    <ApiProvider api={fake.api}>
      <BatchDashboard />
    </ApiProvider>
  )
  return fake
}

describe('batch dashboard charts', () => {
  it('a reloaded dashboard draws the batch’s past before any live event', () => {
    // The snapshot a reload gets from batch/list (4 done, 1 failed now, as the last history point).
    getStudio().setBatches([batch({ doneRows: 4, failedRows: 1, history: HISTORY })])
    mountDashboard()
    expect(points('Rows done over time')).toBe(HISTORY.length)
    expect(points('Cost over time')).toBe(HISTORY.length)
  })

  it('live events extend the seeded chart instead of starting it over', () => {
    getStudio().setBatches([batch({ doneRows: 4, failedRows: 1, history: HISTORY })])
    mountDashboard()
    act(() => getStudio().upsertBatch(batch({ doneRows: 5, failedRows: 1, history: HISTORY, updatedAt: 5_000 })))
    expect(points('Rows done over time')).toBe(HISTORY.length + 1)
    expect(getStudio().batchSamples['batch-1']!.map((p) => p.done)).toEqual([0, 1, 2, 4, 5])
    // A reconnect's snapshot keeps the points this window already has.
    act(() => getStudio().setBatches([batch({ doneRows: 5, failedRows: 1, history: HISTORY, updatedAt: 5_000 })]))
    expect(getStudio().batchSamples['batch-1']!.map((p) => p.done)).toEqual([0, 1, 2, 4, 5])
  })

  it('a batch first seen through a live event (opened mid-run) also starts from its history', () => {
    mountDashboard()
    act(() => getStudio().upsertBatch(batch({ doneRows: 5, failedRows: 1, history: HISTORY })))
    expect(getStudio().batchSamples['batch-1']!.map((p) => p.done)).toEqual([0, 1, 2, 4, 5])
    expect(points('Rows done over time')).toBe(HISTORY.length + 1)
  })

  it('names the steps of the average-time chart in the user’s language, short, with the whole title on hover', () => {
    getStudio().setLocale('fr')
    getStudio().setBatches([batch({ metrics: { ...batch().metrics, avgStepMs: { script: 100, audio: 400, video: 900 } } })])
    mountDashboard()
    const chart = screen.getByRole('img', { name: 'Temps moyen par étape' })
    expect([...chart.querySelectorAll('text.chart-label')].map((l) => l.textContent)).toEqual(['Script', 'Voix', 'Rendu'])
    expect([...chart.querySelectorAll('title')].map((l) => l.textContent)).toEqual(['Écrire le script', 'Enregistrer la narration', 'Rendre la vidéo'])
  })
})
