import { useMemo } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { JobView } from '../../../../shared/types'
import { useT } from '../../i18n/use-t'
import { getStudio, useStudio } from '../../store'

/** The storyboard a finished `storyboard-idea` job wrote (its output's `storyboardId`), else null. */
export function storyboardOfJob(job: Pick<JobView, 'status' | 'result'>): string | null {
  if (job.status !== 'completed') return null
  const result = job.result
  const output = result && typeof result === 'object' && !Array.isArray(result) ? result.output : null
  const id = output && typeof output === 'object' && !Array.isArray(output) ? output.storyboardId : null
  return typeof id === 'string' && id ? id : null
}

export interface BatchStoryboardRow {
  jobId: string
  projectId: string
  rowNumber: number | null
  title: string
  storyboardId: string
  scenes: number | null
}

/** A batch's rows that made a storyboard, in sheet order. */
export function batchStoryboardRows(jobs: readonly JobView[], batchId: string): BatchStoryboardRow[] {
  const rows: BatchStoryboardRow[] = []
  for (const job of jobs) {
    if (job.batchId !== batchId) continue
    const storyboardId = storyboardOfJob(job)
    if (!storyboardId) continue
    const meta = job.payload.meta as { rowNumber?: unknown } | undefined
    const output = (job.result as { output?: { scenes?: unknown } }).output
    rows.push({
      jobId: job.id,
      projectId: job.projectId,
      rowNumber: typeof meta?.rowNumber === 'number' ? meta.rowNumber : null,
      title: job.title,
      storyboardId,
      scenes: typeof output?.scenes === 'number' ? output.scenes : null
    })
  }
  return rows.sort((a, b) => (a.rowNumber ?? Infinity) - (b.rowNumber ?? Infinity))
}

/** Opens the project workspace on a storyboard. */
export function openStoryboardOf(row: Pick<BatchStoryboardRow, 'projectId' | 'storyboardId'>): void {
  const s = getStudio()
  s.selectProject(row.projectId)
  s.openStoryboard(row.projectId, row.storyboardId)
  s.setView('projects')
}

/**
 * A batch that makes storyboards (pipeline `storyboard-idea`): each finished row links to the
 * storyboard it wrote, which opens in its project for review.
 */
export function BatchStoryboards({ batchId, pipeline }: { batchId: string; pipeline: string }) {
  const t = useT()
  // The batch's job objects (the same ones while nothing changes), then their rows.
  const jobs = useStudio(useShallow((s) => Object.values(s.jobs).filter((j) => j.batchId === batchId)))
  const rows = useMemo(() => batchStoryboardRows(jobs, batchId), [jobs, batchId])
  if (!rows.length && pipeline !== 'storyboard-idea') return null
  return (
    <section className="detail-section" data-testid="batch-storyboards">
      <h3>{t('batch.storyboards')}</h3>
      {rows.length === 0 ? (
        <p className="muted small">{t('batch.storyboardsNone')}</p>
      ) : (
        <div className="table-scroll short">
          <table className="grid-table">
            <thead>
              <tr>
                <th>{t('batch.row')}</th>
                <th>{t('batch.storyboardTitle')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.jobId} data-testid="batch-storyboard-row" data-storyboard-id={r.storyboardId}>
                  <td>{r.rowNumber ?? '—'}</td>
                  <td className="wrap">
                    {r.title}
                    {r.scenes !== null ? <span className="muted small"> · {t.plural('storyboard.scenes', r.scenes)}</span> : null}
                  </td>
                  <td>
                    <button type="button" className="link" onClick={() => openStoryboardOf(r)} data-testid="batch-open-storyboard">
                      {t('batch.openStoryboard')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
