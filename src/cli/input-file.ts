import { closeSync, fstatSync, openSync, readSync } from 'node:fs'

/** Largest JSON file an option reads: a job input or a batch config is a few KB. */
export const MAX_INPUT_FILE_BYTES = 16 * 1024 * 1024

export class InputFileError extends Error {}

/**
 * The text of a file named by an option (`--input-file`, `--config`): a regular file only, at most
 * `maxBytes` long, in UTF-8 (or UTF-16 with its byte order mark, as Notepad saves "Unicode").
 * `/dev/zero` was read until memory ran out; invalid UTF-8 was silently replaced by U+FFFD.
 */
export function readInputFile(path: string, option: string, maxBytes = MAX_INPUT_FILE_BYTES): string {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (err) {
    throw new InputFileError(`${option}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  try {
    // Checked on the opened file, so what is read is what was checked.
    if (!fstatSync(fd).isFile()) throw new InputFileError(`${option}: ${path} is not a regular file`)
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, fstatSync(fd).size + 1))
    let length = 0
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null)
      if (n === 0) break
      length += n
      if (length > maxBytes) throw new InputFileError(`${option}: ${path} is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`)
      if (length === buffer.length) break // the file grew while read: what was there when opened is enough
    }
    return decodeText(buffer.subarray(0, length), `${option}: ${path}`)
  } finally {
    closeSync(fd)
  }
}

/** UTF-8 (a BOM dropped) or UTF-16 with a BOM; bytes that are neither are refused, never replaced. */
export function decodeText(bytes: Uint8Array, what: string): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2))
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2))
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch {
    throw new InputFileError(`${what} is not valid UTF-8 text (at byte ${firstInvalidUtf8(bytes)}); save it as UTF-8`)
  }
}

/** Where the first byte that is not valid UTF-8 sits, for the error to point at it. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0
  while (i < b.length) {
    const c = b[i]!
    if (c < 0x80) {
      i++
      continue
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0
    if (n === 0 || i + n >= b.length) return i
    const second = b[i + 1]!
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8 either.
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf
    if (second < lo || second > hi) return i
    for (let k = 2; k <= n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i
    i += n + 1
  }
  return b.length
}

/**
 * A JSON text typed as an argument: the shell hands over bytes, which Node decodes replacing
 * invalid UTF-8 by U+FFFD. That character in an argument means bytes were lost: refused.
 */
export function checkArgumentText(text: string, option: string): string {
  if (text.includes('\uFFFD')) throw new InputFileError(`${option} holds bytes that are not valid UTF-8 (they would arrive as U+FFFD); give it as UTF-8 text`)
  return text
}
