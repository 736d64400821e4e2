import { createHash, randomBytes } from 'node:crypto'
import { constants, existsSync } from 'node:fs'
import { mkdir, open, readFile, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { PUBLIC_ADDRESSES_ONLY, type NetworkPolicy } from './sources/address-policy'
import { httpGet } from './sources/http-fetch'
import { RowSourceError } from './sources/errors'
import { redactUrl } from './sources/redact-url'
import { StudioError } from '../errors'

/**
 * Prompt templates for batches (seed 3 kept its XML templates in object storage). A template
 * comes from a local folder or an HTTPS URL; downloads are cached on disk so a batch still runs
 * when the storage is unreachable, and a default template ships with the app as the last resort.
 * Every result says which of these was used, and why it fell back.
 */

export const DEFAULT_TEMPLATE_FILE = 'default.xml'
export const DEFAULT_TEMPLATE_TIMEOUT_MS = 10_000
/** A cached download younger than this is used without asking the server again. */
export const DEFAULT_TEMPLATE_MAX_AGE_MS = 60 * 60 * 1000
/** Templates are a few KB; anything this large is not one. */
const MAX_TEMPLATE_BYTES = 1024 * 1024

/** A plain file name: no folders, no "..", nothing that could leave the template folder or cache. */
export const templateFileSchema = z
  .string()
  .regex(/^[\p{L}\p{N}_][\p{L}\p{N}_.-]{0,127}$/u, { error: 'must be a plain file name such as "video.xml"' })
  .refine((name) => !name.includes('..'), { error: 'must not contain ".."' })

export const templateRefSchema = z.strictObject({
  /** A local folder, an http(s) folder URL ending in "/", or the URL of the template file itself. */
  source: z.string().trim().min(1, { error: 'must be a folder path or an https URL' }),
  file: templateFileSchema.optional()
})
export type TemplateRef = z.output<typeof templateRefSchema>

export type TemplateSource = 'remote' | 'cache' | 'bundled' | 'folder'

export interface TemplatePrompt {
  id: string
  text: string
  /** Other attributes of the <prompt> element (e.g. step="script"). */
  attributes: Record<string, string>
  /** Placeholder names used by the text, in order of first use. */
  variables: string[]
}

export interface ParsedTemplate {
  name: string | undefined
  description: string | undefined
  prompts: Record<string, TemplatePrompt>
}

export interface LoadedTemplate {
  source: TemplateSource
  /** File the content was read from (cache file, folder file or bundled file). */
  path: string
  content: string
  template: ParsedTemplate
  /** The URL asked for (secrets hidden), for remote and cache. */
  url?: string
  /** The cached copy is older than maxAgeMs (used because the remote failed). */
  stale?: boolean
  /** Why the preferred source was not used, e.g. "https://…/video.xml: no answer within 10 s". */
  fallbackReason?: string
}

export interface LoadTemplateOptions {
  /**
   * The only folder local templates may come from (the data folder): a batch config can arrive
   * from a page through the command API, and must not be a way to read any file on the machine.
   * A relative `source` is taken from here.
   */
  localRoot: string
  /** Root cache folder: downloads go to <cacheDir>/templates/<hash of URL>/<file>. */
  cacheDir: string
  /** Folder of the templates shipped with the app (default: found from this module's location). */
  bundledDir?: string
  timeoutMs?: number
  maxAgeMs?: number
  signal?: AbortSignal
  /** Which addresses a template URL may lead to (default: public internet addresses only). */
  network?: NetworkPolicy
}

export class TemplateError extends StudioError {
  /** Set when the template was refused (not merely unavailable): no fallback hides it. */
  readonly refused: boolean

  constructor(message: string, options?: { cause?: unknown; refused?: boolean }) {
    super('bad_request', message, options?.cause === undefined ? {} : { cause: options.cause })
    this.name = 'TemplateError'
    this.refused = options?.refused ?? false
  }
}

/** A batch's script prompt from its template, rendered per row at import (video batches only). */
export async function batchScriptTemplate(
  config: { pipeline: string; template?: TemplateRef | undefined },
  options: LoadTemplateOptions
): Promise<{ source: string; path: string; script: string } | null> {
  if (config.pipeline !== 'video') return null
  const loaded = await loadTemplate(config.template, options)
  const script = loaded.template.prompts.script?.text
  if (!script) return null
  return { source: loaded.source, path: loaded.path, script }
}

/** Load the template a batch asks for, falling back to the cache, then to the bundled default. */
export async function loadTemplate(ref: TemplateRef | undefined, options: LoadTemplateOptions): Promise<LoadedTemplate> {
  const bundledDir = options.bundledDir ?? defaultBundledTemplatesDir()
  if (!ref) return loadBundled(bundledDir, DEFAULT_TEMPLATE_FILE, undefined)

  const parsed = templateRefSchema.safeParse(ref)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new TemplateError(`template.${issue.path.join('.')}: ${issue.message}`)
  }
  const location = locateTemplate(parsed.data, options.localRoot)

  if (location.kind === 'folder') {
    try {
      const content = await readLocalTemplate(options.localRoot, location.folder, location.file)
      return { source: 'folder', path: location.path, content, template: parseTemplateXml(content, location.path) }
    } catch (err) {
      if (err instanceof TemplateError && err.refused) throw err
      return loadBundled(bundledDir, location.file, `${location.path}: ${reasonOf(err)}`)
    }
  }
  return loadRemote(location.url, location.file, bundledDir, options)
}

async function loadRemote(url: string, file: string, bundledDir: string, options: LoadTemplateOptions): Promise<LoadedTemplate> {
  const shownUrl = redactUrl(url)
  const cachePath = templateCachePath(options.cacheDir, url, file)
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_TEMPLATE_MAX_AGE_MS
  const cachedAt = await stat(cachePath).then((s) => s.mtimeMs, () => undefined)

  if (cachedAt !== undefined && Date.now() - cachedAt <= maxAgeMs) {
    const cached = await readCached(cachePath)
    if (cached) return { source: 'cache', path: cachePath, url: shownUrl, stale: false, ...cached }
  }

  let remoteFailure: string
  try {
    const content = await downloadText(url, options)
    const template = parseTemplateXml(content, shownUrl)
    await writeAtomically(cachePath, content)
    return { source: 'remote', path: cachePath, url: shownUrl, content, template }
  } catch (err) {
    if (options.signal?.aborted) throw err
    // Not a failure to fall back from: the URL was refused (it leads to a private address).
    if (err instanceof RowSourceError && err.code === 'FORBIDDEN_ADDRESS') throw new TemplateError(err.message, { refused: true, cause: err })
    remoteFailure = reasonOf(err)
  }

  if (cachedAt !== undefined) {
    const cached = await readCached(cachePath)
    if (cached) {
      return { source: 'cache', path: cachePath, url: shownUrl, stale: true, fallbackReason: remoteFailure, ...cached }
    }
  }
  return loadBundled(bundledDir, file, remoteFailure)
}

async function loadBundled(bundledDir: string, file: string, fallbackReason: string | undefined): Promise<LoadedTemplate> {
  // A bundled copy of the same name if the app ships one, else the default.
  const candidates = [...new Set([file, DEFAULT_TEMPLATE_FILE])].map((name) => join(bundledDir, name))
  for (const path of candidates) {
    if (!existsSync(path)) continue
    const content = await readTemplateFile(path)
    return {
      source: 'bundled',
      path,
      content,
      template: parseTemplateXml(content, path),
      ...(fallbackReason ? { fallbackReason } : {})
    }
  }
  throw new TemplateError(
    `no template available: ${fallbackReason ? `${fallbackReason}, and ` : ''}the bundled default is missing from ${bundledDir}`
  )
}

type TemplateLocation = { kind: 'folder'; folder: string; path: string; file: string } | { kind: 'url'; url: string; file: string }

/**
 * "https://bucket/templates/" + file → that file; "https://bucket/templates/video.xml" is the file
 * itself. Plain http is refused except on this machine: templates become prompts, so they must
 * not be open to tampering on the way.
 */
function locateTemplate(ref: TemplateRef, localRoot: string): TemplateLocation {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(ref.source)) {
    const file = ref.file ?? DEFAULT_TEMPLATE_FILE
    const folder = resolve(localRoot, ref.source)
    return { kind: 'folder', folder, path: join(folder, file), file }
  }
  let base: URL
  try {
    base = new URL(ref.source)
  } catch {
    throw new TemplateError(`template.source: "${redactUrl(ref.source)}" is not a valid URL`)
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(base.hostname)
  if (base.protocol !== 'https:' && !(base.protocol === 'http:' && loopback)) {
    throw new TemplateError(`template.source: must be an https URL (got ${redactUrl(ref.source)})`)
  }
  const lastSegment = decodeURIComponent(base.pathname.split('/').pop() ?? '')
  if (!ref.file && lastSegment && templateFileSchema.safeParse(lastSegment).success && lastSegment.includes('.')) {
    return { kind: 'url', url: base.toString(), file: lastSegment }
  }
  const file = ref.file ?? DEFAULT_TEMPLATE_FILE
  const folder = new URL(base.toString())
  if (!folder.pathname.endsWith('/')) folder.pathname += '/'
  const url = new URL(encodeURIComponent(file), folder)
  url.search = base.search
  return { kind: 'url', url: url.toString(), file }
}

/** Where a download of `url` is cached: one folder per URL, so two sources never share a file. */
export function templateCachePath(cacheDir: string, url: string, file: string): string {
  const hash = createHash('sha256').update(url).digest('hex').slice(0, 16)
  return join(cacheDir, 'templates', hash, file)
}

async function downloadText(url: string, options: LoadTemplateOptions): Promise<string> {
  // One attempt: on failure the cache or the bundled default is right there.
  const body = await httpGet(url, {
    timeoutMs: options.timeoutMs ?? DEFAULT_TEMPLATE_TIMEOUT_MS,
    attempts: 1,
    retryDelayMs: 0,
    signal: options.signal,
    network: options.network ?? PUBLIC_ADDRESSES_ONLY,
    field: 'template.source',
    accept: 'application/xml, text/xml;q=0.9, */*;q=0.5',
    notFoundHint: 'check the template source and file name'
  })
  const chunks: Buffer[] = []
  let size = 0
  try {
    for (;;) {
      const next = await body.next()
      if (next.done) break
      size += next.value.length
      if (size > MAX_TEMPLATE_BYTES) throw new TemplateError(`${redactUrl(url)} is larger than 1 MB: not a template`)
      chunks.push(next.value)
    }
  } finally {
    body.destroy()
  }
  return Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '')
}

/**
 * A template from a folder of the data folder: the folder and the file (links resolved) must stay
 * inside it, the file must be a regular file (not a device or a pipe that never ends) and small.
 * A missing file is not a refusal: the caller falls back to the bundled template.
 */
async function readLocalTemplate(localRoot: string, folder: string, file: string): Promise<string> {
  const refuse = (field: 'source' | 'file', why: string): TemplateError =>
    new TemplateError(`template.${field}: ${why}`, { refused: true })
  const root = await realpath(localRoot)
  const outside = `must be a folder inside the data folder (${localRoot}), or an https URL`
  if (!isInside(resolve(localRoot), folder) && !isInside(root, folder)) throw refuse('source', outside)
  const realFolder = await realpath(folder)
  if (!isInside(root, realFolder)) throw refuse('source', outside)
  const realFile = await realpath(join(realFolder, file))
  if (!isInside(root, realFile)) throw refuse('file', `${file} links to a file outside the data folder`)
  // O_NONBLOCK: opening a named pipe must not wait for a writer before fstat can refuse it.
  const handle = await open(realFile, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW)
  try {
    const info = await handle.stat()
    if (!info.isFile()) throw refuse('file', `${file} is not a regular file`)
    if (info.size > MAX_TEMPLATE_BYTES) throw refuse('file', `${file} is larger than 1 MB: not a template`)
    const buffer = Buffer.alloc(MAX_TEMPLATE_BYTES + 1)
    let length = 0
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length)
      if (bytesRead === 0) break
      length += bytesRead
      if (length > MAX_TEMPLATE_BYTES) throw refuse('file', `${file} is larger than 1 MB: not a template`)
    }
    return buffer.subarray(0, length).toString('utf8').replace(/^\uFEFF/, '')
  } finally {
    await handle.close()
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

async function readTemplateFile(path: string): Promise<string> {
  const content = await readFile(path, 'utf8')
  return content.replace(/^\uFEFF/, '')
}

async function readCached(path: string): Promise<{ content: string; template: ParsedTemplate } | undefined> {
  try {
    const content = await readTemplateFile(path)
    return { content, template: parseTemplateXml(content, path) }
  } catch {
    return undefined // a damaged cache file is no better than none
  }
}

/** Write to a temp file beside the target, then rename: a crash never leaves half a template in the cache. */
async function writeAtomically(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    await writeFile(temp, content, 'utf8')
    await rename(temp, path)
  } catch (err) {
    await unlink(temp).catch(() => undefined)
    throw err
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof Error && (err as { code?: string }).code === 'ENOENT') return 'file not found'
  return err instanceof Error ? err.message : String(err)
}

/**
 * resources/templates of this checkout, found by walking up from this module: works from the
 * sources (tests, tsx) and from the bundled main process. A packaged app should pass its own
 * `bundledDir` (e.g. path.join(process.resourcesPath, 'templates')).
 */
export function defaultBundledTemplatesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let depth = 0; depth < 8; depth++) {
    const candidate = join(dir, 'resources', 'templates')
    if (existsSync(join(candidate, DEFAULT_TEMPLATE_FILE))) return candidate
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  return join(process.cwd(), 'resources', 'templates')
}

// ---------------------------------------------------------------------------------------------
// Template format: <templates name="…"><description>…</description><prompt id="…">text</prompt>…</templates>

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g

/**
 * Read our small XML template format. Deliberately not a general XML parser: it understands the
 * elements above, attributes in quotes, comments, CDATA and the five standard entities (plus
 * numeric ones), which is all a template needs.
 */
export function parseTemplateXml(xml: string, origin = 'template'): ParsedTemplate {
  const withoutComments = stripComments(xml)
  const root = /<templates\b([^>]*)>([\s\S]*)<\/templates>/.exec(withoutComments)
  if (!root) throw new TemplateError(`${origin}: not a template file (no <templates> element)`)
  const rootAttributes = parseAttributes(root[1]!)
  const body = root[2]!

  const prompts: Record<string, TemplatePrompt> = {}
  for (const match of body.matchAll(/<prompt\b([^>]*)>([\s\S]*?)<\/prompt>/g)) {
    const attributes = parseAttributes(match[1]!)
    const id = attributes.id
    if (!id) throw new TemplateError(`${origin}: a <prompt> has no id attribute`)
    if (prompts[id]) throw new TemplateError(`${origin}: prompt "${id}" is defined twice`)
    delete attributes.id
    const text = dedent(elementText(match[2]!))
    checkPlaceholders(text, `${origin}: prompt "${id}"`)
    prompts[id] = { id, text, attributes, variables: templateVariables(text) }
  }
  if (Object.keys(prompts).length === 0) throw new TemplateError(`${origin}: the template has no <prompt> element`)

  const description = /<description>([\s\S]*?)<\/description>/.exec(body)?.[1]
  return {
    name: rootAttributes.name,
    description: description === undefined ? undefined : dedent(elementText(description)),
    prompts
  }
}

/**
 * Fill `{{name}}` placeholders. A placeholder without a value is an error naming it (and the
 * values that were available): a prompt must never reach a model with "{{idea}}" still in it.
 */
export function renderTemplate(template: string, vars: Readonly<Record<string, string | number | boolean>>): string {
  checkPlaceholders(template, 'template')
  const missing = templateVariables(template).filter((name) => !Object.hasOwn(vars, name))
  if (missing.length) {
    const list = missing.map((name) => `{{${name}}}`).join(', ')
    const known = Object.keys(vars).join(', ') || 'none'
    throw new TemplateError(`unknown placeholder${missing.length > 1 ? 's' : ''} ${list} (values given: ${known})`)
  }
  return template.replace(PLACEHOLDER, (_, name: string) => String(vars[name]))
}

/** Placeholder names in order of first use. */
export function templateVariables(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))]
}

/** "{{" that does not open a well-formed placeholder is a typo: say where. */
function checkPlaceholders(text: string, where: string): void {
  const leftover = text.replace(PLACEHOLDER, '')
  const index = leftover.search(/\{\{|\}\}/)
  if (index === -1) return
  const snippet = leftover.slice(Math.max(0, index - 10), index + 20).replace(/\s+/g, ' ')
  throw new TemplateError(`${where}: malformed placeholder near "${snippet}" (expected {{name}})`)
}

function stripComments(xml: string): string {
  // Comments inside CDATA are text; keep CDATA blocks intact while removing the rest.
  return xml.replace(/(<!\[CDATA\[[\s\S]*?\]\]>)|<!--[\s\S]*?-->/g, (match, cdata: string | undefined) => cdata ?? '')
}

function parseAttributes(source: string): Record<string, string> {
  const attributes: Record<string, string> = {}
  for (const m of source.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    attributes[m[1]!] = decodeEntities(m[2] ?? m[3] ?? '')
  }
  return attributes
}

/** Element content as text: CDATA kept verbatim, entities decoded elsewhere, nested tags refused. */
function elementText(content: string): string {
  return content
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)
    .map((part) => {
      if (part.startsWith('<![CDATA[')) return part.slice(9, -3)
      if (/<[A-Za-z/]/.test(part)) throw new TemplateError(`unexpected element inside a prompt: "${part.trim().slice(0, 40)}"`)
      return decodeEntities(part)
    })
    .join('')
}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10)
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole
  })
}

/** Remove the indentation the XML file adds, and blank lines around the text. */
function dedent(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  while (lines.length && lines[0]!.trim() === '') lines.shift()
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop()
  const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length)
  const common = indents.length ? Math.min(...indents) : 0
  return lines.map((l) => l.slice(common).trimEnd()).join('\n')
}
