import type { z } from 'zod'
import { DEFAULT_PRIORITY } from '../../../shared/types'
import type { PipelineDefinition } from '../pipelines/types'
import type { BatchConfig } from './config'
import { mapRow, type ResolvedMapping, type RowSourceFormat, type SourceRow } from './sources'
import { quoteCell } from './sources/cell-value'
import { renderTemplate } from './templates'
import { languageOfCell, loadLanguageDetector, rowLanguage } from './row-language'

/** What one spreadsheet row becomes: a job input ready to queue, or the reason it is refused. */
/** How a sheet's columns are mapped to a pipeline's input (local and farm batches alike). */
export function mappingOptions(pipeline: PipelineDefinition<unknown>) {
  return { schema: pipeline.input, mainField: pipeline.mainField ?? 'idea' }
}

export type RowOutcome =
  | { state: 'ready'; input: Record<string, unknown>; priority: number }
  | { state: 'invalid'; reason: string; priority: number }

export interface RowInputContext {
  pipeline: PipelineDefinition<unknown>
  config: BatchConfig
  batchId: string
  /** The template's script prompt, rendered per row (seed 3's templates). */
  template: { script: string } | null
  format: RowSourceFormat
  headers: readonly string[]
  mapping: ResolvedMapping
}

/**
 * Each row's job input, built once for the import and once for an estimate (`studio batch
 * --estimate`, batch/estimate): both see the same inputs, so the estimate prices what would run.
 */
export async function rowInputBuilder(ctx: RowInputContext): Promise<(row: SourceRow) => RowOutcome> {
  const extras = extrasFor(ctx.pipeline, ctx.config, ctx.batchId)
  const { mapping, pipeline, config } = ctx
  const languageColumn = mapping.fields.find((f) => f.field === 'language')?.column
  const takesLanguage = 'language' in ((pipeline.input as unknown as { shape?: Record<string, unknown> }).shape ?? {})
  // Only a row without a language of its own nor one in the config is read for its language.
  if (takesLanguage && !config.language) await loadLanguageDetector()
  return (sheetRow) => {
    const ragged = ctx.format === 'csv' ? raggedRowReason(sheetRow, ctx.headers.length) : null
    if (ragged) return { state: 'invalid', reason: ragged, priority: DEFAULT_PRIORITY }
    // "French", "Français" or "fr-FR" in a language column all mean fr.
    const languageCell = languageColumn ? sheetRow.values[languageColumn] : undefined
    const cellLanguage = languageOfCell(languageCell)
    const row = cellLanguage && languageColumn ? { ...sheetRow, values: { ...sheetRow.values, [languageColumn]: cellLanguage } } : sheetRow
    const mapped = mapRow(row, mapping, pipeline.input)
    if (!mapped.ok) return { state: 'invalid', reason: mapped.reason, priority: DEFAULT_PRIORITY }
    const input: Record<string, unknown> = { ...(mapped.input as Record<string, unknown>), ...extras(row.rowNumber) }
    // No language cell: the schema's default (en) must not win over the config or the text itself.
    if (takesLanguage && !languageCell?.trim()) {
      input.language = rowLanguage(undefined, config.language, String(input[mapping.mainField] ?? ''))
    }
    if (ctx.template) {
      try {
        input.scriptPrompt = renderTemplate(ctx.template.script, {
          idea: String(input.idea ?? ''),
          language: String(input.language ?? 'en'),
          style: String(row.values.style ?? row.values.Style ?? ''),
          duration: 40
        })
      } catch (err) {
        return { state: 'invalid', reason: `row ${row.rowNumber}: template: ${(err as Error).message}`, priority: DEFAULT_PRIORITY }
      }
    }
    const checked = pipeline.input.safeParse(input)
    const priority = mapped.priority ?? DEFAULT_PRIORITY
    if (checked.success) return { state: 'ready', input: checked.data as Record<string, unknown>, priority }
    return { state: 'invalid', reason: `row ${row.rowNumber}: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, priority }
  }
}

/**
 * A CSV row with more cells than the header has columns almost always holds a delimiter inside
 * an unquoted cell ("a fox, in the snow"): its cells have shifted and the job would get the
 * wrong text in every later field. Refused, saying why. (In a workbook, cells to the right of
 * the last header are the user's notes and are left alone.)
 */
function raggedRowReason(row: { rowNumber: number; extra?: string[] }, columns: number): string | null {
  if (!row.extra?.length) return null
  const cells = columns + row.extra.length
  return `row ${row.rowNumber}: ${cells} cells for ${columns} columns (beyond the last: ${row.extra.map(quoteCell).join(', ')}); a cell holding the delimiter must be in double quotes`
}

/** Config-driven fields each row's job gets, when the pipeline takes them. */
function extrasFor(pipeline: PipelineDefinition<unknown>, config: BatchConfig, batchId: string) {
  const shape = (pipeline.input as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {}
  const style = {
    selective: config.selective,
    adversarial: config.adversarial,
    humanSimulation: config.humanSimulation,
    patternBreaking: config.patternBreaking,
    intensity: config.intensity
  }
  // Only where "style" means this writing style: the image pipeline's own "style" is a free-text
  // visual style ("watercolor"), which the row's Style column fills and this object would break.
  const takesWritingStyle = shape.style?.safeParse(style).success === true
  return (rowNumber: number): Record<string, unknown> => ({
    ...(takesWritingStyle ? { style } : {}),
    ...('saveIntermediateSteps' in shape ? { saveIntermediateSteps: config.saveIntermediateSteps } : {}),
    ...('meta' in shape ? { meta: { batchId, rowNumber } } : {})
  })
}
