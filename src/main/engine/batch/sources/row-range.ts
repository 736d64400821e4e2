import { z } from 'zod'

/**
 * Rows to import, in spreadsheet row numbers as the user sees them (row 1 is the header, so the
 * first data row is 2). Both ends inclusive; without `end` the import runs to the last row.
 */
export const rowRangeSchema = z
  .strictObject({
    start: z
      .number({ error: 'must be a whole row number' })
      .int({ error: 'must be a whole row number' })
      .min(2, { error: 'must be 2 or more (row 1 is the header row)' }),
    end: z
      .number({ error: 'must be a whole row number' })
      .int({ error: 'must be a whole row number' })
      .min(2, { error: 'must be 2 or more (row 1 is the header row)' })
      .optional()
  })
  .refine((range) => range.end === undefined || range.end >= range.start, {
    error: 'must be greater than or equal to start',
    path: ['end']
  })

export type RowRange = z.output<typeof rowRangeSchema>

export type RangePosition = 'before' | 'inside' | 'after'

/** Where a row falls relative to the range; "after" lets a reader stop early instead of reading to the end. */
export function positionInRange(rowNumber: number, range: RowRange | undefined): RangePosition {
  if (!range) return 'inside'
  if (rowNumber < range.start) return 'before'
  if (range.end !== undefined && rowNumber > range.end) return 'after'
  return 'inside'
}
