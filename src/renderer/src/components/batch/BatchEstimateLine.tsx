import { useEffect, useState } from 'react'
import type { BatchSource } from '../../../../shared/contract'
import type { BatchEstimate } from '../../../../shared/estimate'
import { useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { approx, formatCost, formatDuration } from '../common/format'

/** Settle time before asking again while the user types a row range or flips options. */
const DEBOUNCE_MS = 400

/**
 * "~12 min · $0.42" under the batch dialog, before Start: the rows the batch would queue, timed
 * and priced by the engine (batch/estimate); nothing is queued. A failed estimate shows nothing —
 * the dialog's own preview already says what is wrong with the sheet.
 */
export function BatchEstimateLine({ source, sheet, config }: { source: BatchSource; sheet?: string | undefined; config: Record<string, unknown> }) {
  const t = useT()
  const call = useCall()
  const [estimate, setEstimate] = useState<BatchEstimate | null>(null)
  const key = JSON.stringify(config)
  useEffect(() => {
    let live = true
    const timer = setTimeout(() => {
      void call('batch/estimate', { source, ...(sheet ? { sheet } : {}), config }, { quiet: true }).then((r) => {
        if (live) setEstimate(r.ok ? r.value : null)
      })
    }, DEBOUNCE_MS)
    return () => {
      live = false
      clearTimeout(timer)
    }
    // The source is rebuilt each render from the same dropped file: its content is what counts.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [call, source.kind === 'upload' ? source.contentBase64 : source, sheet, key])
  if (!estimate) return null
  const cost = (estimate.costKnown ? '' : '≥ ') + formatCost(estimate.costUsd, t.locale)
  // On a farm with no worker running, nothing would run: no time, and why.
  const time = estimate.wallClockMs === null ? t('batchEstimate.noWorkers') : approx(formatDuration(estimate.wallClockMs, t.locale))
  return (
    <p className="muted small estimate-line" data-testid="batch-estimate" title={t('batchEstimate.hint')}>
      {t.plural('batchEstimate.line', estimate.rows, { time, cost })}
    </p>
  )
}
