import { z } from 'zod'
import { quoteCell } from './cell-value'
import { clipText, columnList } from './errors'
import { readPriorityCell } from './priority-cell'
import type { SourceRow } from './types'
import { StudioError } from '../../errors'

/**
 * Pipeline inputs found by column name when the user has not mapped them. Aliases are tried in
 * order, so a sheet with both "idea" and "title" columns takes its main text from "idea".
 * Matching ignores case, accents, spaces and punctuation ("Idée ", "IDEE" and "idee" all match).
 */
export interface KnownField {
  field: string
  aliases: readonly string[]
}

export const MAIN_FIELD = 'idea'
/**
 * Not a pipeline input but the row's job priority: found whatever the pipeline's schema accepts,
 * and kept out of the input it validates.
 */
export const PRIORITY_FIELD = 'priority'

export const KNOWN_FIELDS: readonly KnownField[] = [
  { field: MAIN_FIELD, aliases: ['idea', 'idée', 'topic', 'prompt', 'sujet', 'subject', 'thème', 'theme', 'titre', 'title'] },
  { field: 'language', aliases: ['language', 'langue', 'lang', 'locale'] },
  { field: 'voice', aliases: ['voice', 'voix', 'narrator', 'narrateur'] },
  { field: 'style', aliases: ['style', 'tone', 'ton'] },
  { field: 'preset', aliases: ['preset', 'format', 'ratio'] },
  { field: 'images', aliases: ['images', 'image count', "nombre d'images"] },
  { field: 'music', aliases: ['music', 'musique'] },
  { field: 'project', aliases: ['project', 'projet', 'project id', 'projet id'] },
  { field: 'duration', aliases: ['duration', 'durée', 'length', 'longueur'] },
  { field: PRIORITY_FIELD, aliases: ['priority', 'priorité'] }
]

/** Pipeline field → column header. `null` turns off a default ("don't use the Style column"). */
export type ColumnMapping = Record<string, string | null>

export interface MappedField {
  field: string
  column: string
  /** true when found from the default aliases, false when the user mapped it. */
  auto: boolean
}

export interface ResolvedMapping {
  /** The field whose cell must not be empty (the idea/topic/prompt text). */
  mainField: string
  fields: MappedField[]
  /** The column giving each row's job priority, when the sheet has one. */
  priorityColumn: string | undefined
  /** Headers no field reads, to show the user what will be ignored. */
  unmappedColumns: string[]
}

export type MappedRow<T> =
  | { ok: true; rowNumber: number; input: T; /** absent: the queue's default */ priority?: number }
  | { ok: false; rowNumber: number; reason: string }

/** A mapping that cannot work for any row (unknown column, no main text column): the whole batch is refused. */
export class MappingError extends StudioError {
  constructor(message: string) {
    super('bad_request', message)
    this.name = 'MappingError'
  }
}

export interface ResolveMappingOptions {
  /**
   * The pipeline input's schema. When it is a plain object, default mappings keep to its fields,
   * and skip fields that take structured values (a "Style" column cannot fill an object).
   */
  schema?: z.ZodType | undefined
  /** Field that receives the main text (default "idea"). */
  mainField?: string
}

/** Decide once per batch which column feeds which field; throws MappingError naming the column and listing the headers. */
export function resolveMapping(
  headers: readonly string[],
  mapping: ColumnMapping = {},
  options: ResolveMappingOptions = {}
): ResolvedMapping {
  const mainField = options.mainField ?? MAIN_FIELD
  const accepted = cellFields(options.schema)
  const available = columnList(headers)
  const fields: MappedField[] = []

  for (const [field, column] of Object.entries(mapping)) {
    if (column === null) continue
    const header = findHeader(headers, column)
    if (header === undefined) {
      throw new MappingError(`mapping for "${clipText(field)}": column "${clipText(column)}" not found; available columns: ${available}`)
    }
    fields.push({ field, column: header, auto: false })
  }

  for (const known of KNOWN_FIELDS) {
    const field = known.field === MAIN_FIELD ? mainField : known.field
    if (Object.hasOwn(mapping, field)) continue
    if (field !== mainField && field !== PRIORITY_FIELD && accepted && !accepted.has(field)) continue
    // The pipeline's own name for its main text ("mood", "text") comes before the usual names.
    const aliases = field === mainField && field !== known.field ? [field, ...known.aliases] : known.aliases
    const header = aliases.map((alias) => findHeader(headers, alias, { looseOnly: true })).find(Boolean)
    if (header !== undefined) fields.push({ field, column: header, auto: true })
  }

  // Any other column named as one of the pipeline's fields ("kind", "durationSec") feeds it: a
  // column named after the very field must not be reported as one the pipeline has no field for.
  for (const field of accepted ?? []) {
    if (Object.hasOwn(mapping, field) || fields.some((f) => f.field === field)) continue
    const header = findHeader(headers, field, { looseOnly: true })
    if (header !== undefined && !fields.some((f) => f.column === header)) fields.push({ field, column: header, auto: true })
  }

  if (!fields.some((f) => f.field === mainField)) {
    const main = KNOWN_FIELDS.find((k) => k.field === MAIN_FIELD)!
    throw new MappingError(
      `no column for "${mainField}": name a column ${main.aliases.map((a) => `"${a}"`).join(', ')} ` +
        `or map one explicitly; available columns: ${available}`
    )
  }

  const priorityColumn = fields.find((f) => f.field === PRIORITY_FIELD)?.column
  const inputFields = fields.filter((f) => f.field !== PRIORITY_FIELD)
  const used = new Set(fields.map((f) => f.column))
  return { mainField, fields: inputFields, priorityColumn, unmappedColumns: headers.filter((h) => !used.has(h)) }
}

/**
 * One spreadsheet row → a validated pipeline input, or the reason it cannot be one. Never throws:
 * a bad row is reported and the rest of the batch goes on. Cells are trimmed; empty optional cells
 * are left out so the schema's defaults apply; numbers ("1,5") and yes/no cells are converted
 * when the schema asks for them.
 */
export function mapRow<T>(row: SourceRow, mapping: ResolvedMapping, schema: z.ZodType<T>): MappedRow<T> {
  const { rowNumber } = row
  const fail = (reason: string): MappedRow<T> => ({ ok: false, rowNumber, reason: `row ${rowNumber}: ${reason}` })
  try {
    // An error value is no value: read as "" it became the default (a priority 10, 4 images).
    if (row.cellErrors) {
      const used = (column: string) => column === mapping.priorityColumn || mapping.fields.some((f) => f.column === column)
      const errors = row.cellErrors.filter((e) => used(e.column))
      if (errors.length) return fail(errors.map((e) => e.reason).join('; '))
    }
    const entries: [string, string][] = []
    const emptyColumns = new Map<string, string>()
    for (const { field, column } of mapping.fields) {
      const cell = (row.values[column] ?? '').trim()
      if (cell === '') emptyColumns.set(field, column)
      else entries.push([field, cell])
    }
    // fromEntries defines own properties: a field named "__proto__" stays data, never a prototype.
    const candidate: Record<string, unknown> = Object.fromEntries(entries)
    const mainColumn = emptyColumns.get(mapping.mainField)
    if (mainColumn !== undefined) return fail(`column "${mainColumn}" is empty`)

    const priority = mapping.priorityColumn === undefined ? undefined : readPriorityCell(row.values[mapping.priorityColumn] ?? '', mapping.priorityColumn)
    let result = schema.safeParse(candidate)
    if (!result.success && coerceScalars(candidate, result.error.issues)) result = schema.safeParse(candidate)
    const problems = [
      ...(priority && !priority.ok ? [priority.reason] : []),
      ...(result.success ? [] : result.error.issues.map((issue) => describeIssue(issue, mapping, candidate, emptyColumns)))
    ]
    if (problems.length > 0 || !result.success) return fail(problems.join('; '))
    const value = priority?.ok ? priority.priority : undefined
    return { ok: true, rowNumber, input: result.data, ...(value !== undefined ? { priority: value } : {}) }
  } catch (err) {
    return fail(`could not be validated: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/** mapRow over a whole source, for callers that just want inputs and rejections in order. */
export async function* mapRows<T>(
  rows: AsyncIterable<SourceRow>,
  mapping: ResolvedMapping,
  schema: z.ZodType<T>
): AsyncGenerator<MappedRow<T>> {
  for await (const row of rows) yield mapRow(row, mapping, schema)
}

function describeIssue(
  issue: z.core.$ZodIssue,
  mapping: ResolvedMapping,
  candidate: Record<string, unknown>,
  emptyColumns: Map<string, string>
): string {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys
      .map((key) => {
        const column = mapping.fields.find((f) => f.field === key)?.column
        return `${column ? `column "${column}" maps to ` : ''}field "${key}", which this pipeline does not accept`
      })
      .join('; ')
  }
  const field = String(issue.path[0] ?? '')
  const column = mapping.fields.find((f) => f.field === field)?.column
  const value = candidate[field]
  if (value === undefined && emptyColumns.has(field)) return `column "${emptyColumns.get(field)}" is empty (${field} is required)`
  if (value === undefined && field && !column) return `field "${field}" is required but no column is mapped to it`
  const got = value === undefined ? '' : ` (got ${quoteCell(value)})`
  const subject = column ? `column "${column}" (${issue.path.join('.')})` : `field "${issue.path.join('.') || 'input'}"`
  return `${subject}: ${issue.message}${got}`
}

/** Convert string cells the schema wants as numbers or booleans; true if anything changed. */
function coerceScalars(candidate: Record<string, unknown>, issues: readonly z.core.$ZodIssue[]): boolean {
  let changed = false
  for (const issue of issues) {
    if (issue.code !== 'invalid_type' || issue.path.length !== 1) continue
    const field = String(issue.path[0])
    const value = candidate[field]
    if (typeof value !== 'string') continue
    const converted = issue.expected === 'number' ? parseNumber(value) : issue.expected === 'boolean' ? parseBoolean(value) : undefined
    if (converted !== undefined) {
      candidate[field] = converted
      changed = true
    }
  }
  return changed
}

/** "12", "1.5", French "1,5" and "1 000" (spaces, including non-breaking ones, as thousands separators). */
function parseNumber(text: string): number | undefined {
  const compact = text.replace(/[\s\u00a0\u202f]/g, '')
  if (!/^[-+]?\d+([.,]\d+)?$/.test(compact)) return undefined
  return Number(compact.replace(',', '.'))
}

const TRUE_WORDS = new Set(['true', 'yes', 'y', 'oui', 'o', 'vrai', '1', 'x'])
const FALSE_WORDS = new Set(['false', 'no', 'n', 'non', 'faux', '0'])

function parseBoolean(text: string): boolean | undefined {
  const word = text.trim().toLowerCase()
  if (TRUE_WORDS.has(word)) return true
  if (FALSE_WORDS.has(word)) return false
  return undefined
}

/** Case-, accent-, space- and punctuation-insensitive form of a header. */
export function normalizeHeader(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '')
}

function findHeader(headers: readonly string[], wanted: string, { looseOnly = false } = {}): string | undefined {
  if (!looseOnly && headers.includes(wanted)) return wanted
  const key = normalizeHeader(wanted)
  return key ? headers.find((h) => normalizeHeader(h) === key) : undefined
}

/**
 * Fields of a plain object schema that a cell's text can fill, or undefined when the schema is
 * not a plain object (then every default applies and validation sorts it out).
 */
function cellFields(schema: z.ZodType | undefined): Set<string> | undefined {
  if (!(schema instanceof z.ZodObject)) return undefined
  const shape = schema.shape as Record<string, z.ZodType>
  return new Set(Object.keys(shape).filter((field) => acceptsCellText(shape[field]!)))
}

const STRUCTURED_TYPES = new Set(['object', 'array', 'record', 'map', 'set', 'tuple'])

/** Probe with a string: a field expecting an object or a list says so in its type issue. */
function acceptsCellText(field: z.ZodType): boolean {
  try {
    const probe = field.safeParse('x')
    return probe.success || !probe.error.issues.some((i) => i.code === 'invalid_type' && STRUCTURED_TYPES.has(i.expected))
  } catch {
    return true
  }
}
