import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { zodIssues, type ApiIssue } from '../../../shared/api-issues'
import { parseJsonText } from '../json-text'
import { rowRangeSchema } from './sources/row-range'
import { templateRefSchema } from './templates'
import { StudioError } from '../errors'

/**
 * Batch pipeline configuration (seed 3, "Configuration Pipeline Structure"): which enhancement
 * stacks run, how hard, on which rows, and how spreadsheet columns feed the pipeline. Validated
 * with defaults filled in; every error names the field. Named configurations are JSON files.
 */

export const SELECTIVE_STACKS = [
  'lightEnhancement',
  'standardEnhancement',
  'fullEnhancement',
  'personalityFocus',
  'fluidityFocus'
] as const
export const ADVERSARIAL_MODES = ['none', 'light', 'standard', 'heavy', 'adaptive'] as const
export const HUMAN_SIMULATION_MODES = ['none', 'lightSimulation', 'personalityFocus', 'adaptive'] as const
export const PATTERN_BREAKING_MODES = ['none', 'syntaxFocus', 'connectorsFocus', 'adaptive'] as const

export const MIN_INTENSITY = 0.5
export const MAX_INTENSITY = 1.5

function choice<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (issue) => `must be one of ${values.join(', ')} (got ${JSON.stringify(issue.input)})`
  })
}

export const batchConfigSchema = z.strictObject({
  /** Pipeline that runs each row (the job type). Names may start with a digit: "3d" is one. */
  pipeline: z
    .string({ error: 'must be a pipeline name such as "video"' })
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'must be a pipeline name such as "video"' })
    .default('video'),
  selective: choice(SELECTIVE_STACKS).default('standardEnhancement'),
  adversarial: choice(ADVERSARIAL_MODES).default('none'),
  humanSimulation: choice(HUMAN_SIMULATION_MODES).default('none'),
  patternBreaking: choice(PATTERN_BREAKING_MODES).default('none'),
  intensity: z
    .number({ error: `must be a number from ${MIN_INTENSITY} to ${MAX_INTENSITY}` })
    .min(MIN_INTENSITY, { error: `must be from ${MIN_INTENSITY} to ${MAX_INTENSITY}` })
    .max(MAX_INTENSITY, { error: `must be from ${MIN_INTENSITY} to ${MAX_INTENSITY}` })
    .default(1),
  /** Spreadsheet rows to process (header = row 1); all rows when absent. */
  rowRange: rowRangeSchema.optional(),
  /** Keep every step's intermediate text as artifacts, not just the final result. */
  saveIntermediateSteps: z.boolean({ error: 'must be true or false' }).default(false),
  /** Pipeline field → column header; `null` turns a default mapping off. */
  mapping: z
    .record(
      z.string().min(1, { error: 'field names must not be empty' }),
      z.string().min(1, { error: 'must be a column name, or null to ignore' }).nullable()
    )
    .optional(),
  template: templateRefSchema.optional(),
  /** The rows' language when the sheet has no language column; absent: each row's text tells. */
  language: choice(['en', 'fr']).optional()
})

export type BatchConfig = z.output<typeof batchConfigSchema>
/** What callers may pass: every field with a default may be left out. */
export type BatchConfigInput = z.input<typeof batchConfigSchema>

export const DEFAULT_BATCH_CONFIG: BatchConfig = batchConfigSchema.parse({})

export interface ConfigIssue {
  /** Dotted path, e.g. "rowRange.end"; "config" for the object itself. */
  field: string
  message: string
}

export class ConfigError extends StudioError {
  readonly issues: ConfigIssue[]
  /** The same problems as data (path from the config's root), for a window that words them in its language. */
  readonly #details: ApiIssue[]
  constructor(issues: ConfigIssue[], context?: string, details?: ApiIssue[]) {
    const list = issues.map((i) => `${i.field}: ${i.message}`).join('; ')
    // Always the request's `config` field: the contract's issue paths start there.
    super('bad_request', context ? `${context}: ${list}` : list, { field: 'config' })
    this.name = 'ConfigError'
    this.issues = issues
    this.#details = details ?? issues.map((i) => ({ path: i.field.split('.'), code: 'custom', message: i.message }))
  }

  get details(): ApiIssue[] {
    return this.#details
  }

  override apiIssues(): ApiIssue[] {
    return this.#details
  }
}

export type ConfigParseResult = { ok: true; config: BatchConfig } | { ok: false; issues: ConfigIssue[]; details: ApiIssue[] }

/** Validate without throwing (for forms that show each field's error next to it). */
export function safeParseBatchConfig(input: unknown): ConfigParseResult {
  const parsed = batchConfigSchema.safeParse(input)
  if (parsed.success) return { ok: true, config: parsed.data }
  return { ok: false, issues: parsed.error.issues.flatMap(toConfigIssues), details: zodIssues(parsed.error, input) }
}

/** Validate and fill defaults; throws ConfigError naming each bad field. */
export function parseBatchConfig(input: unknown, context?: string): BatchConfig {
  const result = safeParseBatchConfig(input)
  if (!result.ok) throw new ConfigError(result.issues, context, result.details)
  return result.config
}

function toConfigIssues(issue: z.core.$ZodIssue): ConfigIssue[] {
  const field = issue.path.map(String).join('.')
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      field: field ? `${field}.${key}` : key,
      message: 'unknown setting (misspelled?)'
    }))
  }
  if (issue.code === 'invalid_type' && issue.path.length === 0) {
    return [{ field: 'config', message: 'must be an object' }]
  }
  return [{ field: field || 'config', message: issue.message }]
}

// ---------------------------------------------------------------------------------------------
// Named configurations: <dir>/<name>.json

const RESERVED_WINDOWS_NAMES = /^(con|prn|aux|nul|com\d|lpt\d)$/i

/**
 * Names become file names: letters (accents welcome), digits, spaces, "-", "_" and "." only, no
 * "..", no leading/trailing dot or space, nothing Windows reserves. Returns the trimmed name.
 */
export function validateConfigName(name: unknown): string {
  if (typeof name !== 'string') throw new ConfigError([{ field: 'name', message: 'must be a text' }])
  const trimmed = name.trim()
  const problem =
    trimmed === ''
      ? 'must not be empty'
      : trimmed.length > 64
        ? 'must be at most 64 characters'
        : !/^[\p{L}\p{N}][\p{L}\p{N} _.-]*$/u.test(trimmed)
          ? 'may only contain letters, digits, spaces, "-", "_" and "." and must start with a letter or digit'
          : trimmed.includes('..') || trimmed.endsWith('.')
            ? 'must not contain ".." or end with "."'
            : RESERVED_WINDOWS_NAMES.test(trimmed.split('.')[0]!)
              ? 'is a name Windows reserves'
              : undefined
  if (problem) throw new ConfigError([{ field: 'name', message: `${JSON.stringify(name)} ${problem}` }])
  return trimmed
}

/** Validate, fill defaults, and write <dir>/<name>.json atomically. Returns what was saved. */
export async function saveConfig(dir: string, name: string, config: BatchConfigInput): Promise<BatchConfig> {
  const fileName = `${validateConfigName(name)}.json`
  const valid = parseBatchConfig(config, `config "${name}"`)
  await mkdir(dir, { recursive: true })
  const target = join(dir, fileName)
  const temp = join(dir, `.${fileName}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    await writeFile(temp, `${JSON.stringify(valid, null, 2)}\n`, 'utf8')
    await rename(temp, target)
  } catch (err) {
    await unlink(temp).catch(() => undefined)
    throw err
  }
  return valid
}

/** Read and validate <dir>/<name>.json (defaults filled for settings added since it was saved). */
export async function loadConfig(dir: string, name: string): Promise<BatchConfig> {
  const safeName = validateConfigName(name)
  const path = join(dir, `${safeName}.json`)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') {
      const known = await listConfigs(dir)
      throw new ConfigError(
        [{ field: 'name', message: `no saved config "${safeName}"${known.length ? ` (saved: ${known.join(', ')})` : ''}` }]
      )
    }
    throw err
  }
  let json: unknown
  try {
    json = parseJsonText(text)
  } catch (err) {
    throw new ConfigError([{ field: 'config', message: `${path} is not valid JSON (${(err as Error).message})` }])
  }
  return parseBatchConfig(json, `config "${safeName}" (${path})`)
}

/** Names of the saved configs, sorted; an absent folder simply has none. */
export async function listConfigs(dir: string): Promise<string[]> {
  let entries: string[]
  try {
    entries = await readdir(dir)
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return []
    throw err
  }
  return entries
    .filter((file) => file.endsWith('.json') && !file.startsWith('.'))
    .map((file) => file.slice(0, -'.json'.length))
    .filter((name) => {
      try {
        return validateConfigName(name) === name
      } catch {
        return false
      }
    })
    .sort((a, b) => a.localeCompare(b))
}
