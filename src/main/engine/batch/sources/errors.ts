import { StudioError } from '../../errors'
/**
 * Why a row source could not be opened or read. The message is meant for a person (it names the
 * file or URL, the row, the sheet); `code` is for code that wants to react (e.g. offer to re-share
 * a Google Sheet on NOT_SHARED, or retry later on NETWORK/TIMEOUT).
 */
export type RowSourceErrorCode =
  | 'INVALID_OPTIONS'
  | 'NOT_FOUND'
  | 'ACCESS_DENIED'
  | 'NOT_SHARED'
  | 'HTTP_ERROR'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'EMPTY'
  | 'UNSUPPORTED_FORMAT'
  | 'SHEET_NOT_FOUND'
  | 'ENCODING'
  | 'CSV_SYNTAX'
  | 'XLSX_READ'
  /** The URL (or a redirect) leads to this computer or its private network. */
  | 'FORBIDDEN_ADDRESS'

/** Codes worth retrying later without changing anything (the import itself already retried). */
const TRANSIENT_CODES: ReadonlySet<RowSourceErrorCode> = new Set(['NETWORK', 'TIMEOUT', 'HTTP_ERROR'])

export class RowSourceError extends StudioError {
  declare readonly code: RowSourceErrorCode

  constructor(code: RowSourceErrorCode, message: string, options: { cause?: unknown } = {}) {
    // Whatever a message quotes from the file (a parser's "value is …"), it stays readable.
    super(code, clipText(message, MAX_MESSAGE_CHARS), options.cause === undefined ? {} : { cause: options.cause })
    this.name = 'RowSourceError'
  }

  /** The source is the user's (a file, a link): whatever went wrong, the request is what to change. */
  override get apiCode(): string {
    return 'bad_request'
  }

  get transient(): boolean {
    return TRANSIENT_CODES.has(this.code)
  }
}

/** The user's cancellation, rethrown as-is so the engine classifies it as "cancelled", never as a failure. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  if (reason instanceof Error) return reason
  return new DOMException(typeof reason === 'string' ? reason : 'The operation was aborted', 'AbortError')
}

/** Short description of a low-level error (undici hides the useful part in `cause`). */
export function describeCause(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const cause = (err as { cause?: unknown }).cause
  const code = (err as { code?: unknown }).code ?? (cause as { code?: unknown } | undefined)?.code
  const causeMessage = cause instanceof Error && cause.message !== err.message ? cause.message : undefined
  const parts = [err.message === 'fetch failed' && causeMessage ? causeMessage : err.message]
  if (typeof code === 'string' && !parts[0]!.includes(code)) parts.push(`(${code})`)
  return parts.join(' ')
}

/** Longest message about a file: it names the file, the row, the columns, never the file's content at length. */
const MAX_MESSAGE_CHARS = 2_000

/** Longest text from a file (a column or sheet name) that a message quotes whole. */
export const QUOTED_TEXT_CHARS = 200

/**
 * Text from a file as a message quotes it: its start and its length when it is long. A 100 MB
 * header cell made a 104 MB error message, stored with the refused batch for good.
 */
export function clipText(text: string, max = QUOTED_TEXT_CHARS): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text
}

/** Column names as a message lists them: each clipped, and the list cut after the first 30. */
export function columnList(headers: readonly string[]): string {
  const shown = headers.slice(0, 30).map((h) => `"${clipText(h)}"`).join(', ')
  return headers.length > 30 ? `${shown} and ${headers.length - 30} more` : shown
}
