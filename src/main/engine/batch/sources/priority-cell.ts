import { Priority } from '../../../../shared/schemas'
import { quoteCell } from './cell-value'

export type PriorityCell = { ok: true; priority: number | undefined } | { ok: false; reason: string }

/**
 * A "priority" cell → the row's job priority (1 runs first … 10). The queue, not the pipeline,
 * owns priorities, so the cell is checked here against the queue's own rule rather than left to
 * the pipeline's input schema. An empty cell leaves the queue's default.
 */
export function readPriorityCell(cell: string, column: string): PriorityCell {
  const text = cell.trim()
  if (text === '') return { ok: true, priority: undefined }
  const number = /^[-+]?\d+([.,]\d+)?$/.test(text) ? Number(text.replace(',', '.')) : Number.NaN
  const checked = Priority.safeParse(number)
  if (checked.success) return { ok: true, priority: checked.data }
  return { ok: false, reason: `column "${column}": must be a whole number from 1 (runs first) to 10 (got ${quoteCell(text)})` }
}
