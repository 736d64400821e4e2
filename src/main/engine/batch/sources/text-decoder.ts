import { Transform, type TransformCallback } from 'node:stream'
import type Iconv from 'iconv-lite'
import { RowSourceError } from './errors'
import { utf16WithoutBom } from './text-sniff'
import { lazyPackage } from '../../lazy-package'

const iconv = lazyPackage<typeof Iconv>('iconv-lite')

/**
 * "ascii" means no byte ≥ 0x80 has been seen yet: the text so far reads the same in UTF-8 and
 * Windows-1252, so the choice is put off until the first accented character shows up.
 */
export type DetectedEncoding = 'ascii' | 'utf-8' | 'utf-8-bom' | 'windows-1252' | 'utf-16le' | 'utf-16be'

/** Bytes looked at for UTF-16 without a BOM before any text is let through. */
const UTF16_SNIFF_BYTES = 1024
/** Bytes needed after the first non-ASCII byte before judging: enough for any UTF-8 sequence twice over. */
const DECISION_LOOKAHEAD = 8

/**
 * Streaming bytes → text with encoding detection, built for what people actually feed us:
 * Excel "CSV UTF-8" (BOM), Google Sheets and LibreOffice (UTF-8, no BOM), French Excel's plain
 * "CSV" (Windows-1252), and Excel's "Unicode text" (UTF-16, with a BOM or without: its NULs tell).
 *
 * Without a BOM, the decision is made at the first non-ASCII byte by checking whether the bytes
 * from there are valid UTF-8: Windows-1252 accents (é = 0xE9 followed by a letter) almost never
 * form valid UTF-8, so this is reliable even when the first accent sits deep in a large file.
 * A file that turns out invalid UTF-8 later on mixes encodings: that is reported, never guessed.
 */
export class AutoDecoder extends Transform {
  private detected: DetectedEncoding = 'ascii'
  private decide: 'bom' | 'undecided' | 'decided' = 'bom'
  private held: Buffer = Buffer.alloc(0)
  private decodeChunk: ((bytes: Buffer, final: boolean) => string) | undefined
  private offset = 0

  constructor() {
    super({ decodeStrings: true, readableObjectMode: false, encoding: 'utf8' })
  }

  get encoding(): DetectedEncoding {
    return this.detected
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(chunk, false)
      callback()
    } catch (err) {
      callback(err as Error)
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.consume(Buffer.alloc(0), true)
      callback()
    } catch (err) {
      callback(err as Error)
    }
  }

  private consume(chunk: Buffer, final: boolean): void {
    let bytes = this.held.length ? Buffer.concat([this.held, chunk]) : chunk
    this.held = Buffer.alloc(0)

    if (this.decide === 'bom') {
      if (bytes.length < UTF16_SNIFF_BYTES && !final) {
        this.held = bytes
        return
      }
      bytes = this.applyBom(bytes)
    }

    if (this.decide === 'undecided') {
      const firstHigh = bytes.findIndex((b) => b >= 0x80)
      if (firstHigh === -1) {
        this.emitText(bytes.toString('latin1'), bytes.length)
        return
      }
      if (firstHigh > 0) {
        this.emitText(bytes.subarray(0, firstHigh).toString('latin1'), firstHigh)
        bytes = bytes.subarray(firstHigh)
      }
      if (bytes.length < DECISION_LOOKAHEAD && !final) {
        this.held = Buffer.from(bytes)
        return
      }
      this.chooseBetweenUtf8And1252(bytes, final)
    }

    const text = this.decodeChunk!(bytes, final)
    this.emitText(text, bytes.length)
  }

  private applyBom(bytes: Buffer): Buffer {
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      this.use('utf-8-bom', strictUtf8Decoder(() => this.offset))
      this.offset += 3
      return bytes.subarray(3)
    }
    if (bytes[0] === 0xff && bytes[1] === 0xfe) {
      this.use('utf-16le', iconvDecoder('utf-16le'))
      this.offset += 2
      return bytes.subarray(2)
    }
    if (bytes[0] === 0xfe && bytes[1] === 0xff) {
      this.use('utf-16be', iconvDecoder('utf-16be'))
      this.offset += 2
      return bytes.subarray(2)
    }
    // Excel's "Unicode text" saved by other tools lost its BOM: read as 1252 it gave NUL-filled headers.
    const utf16 = utf16WithoutBom(bytes)
    if (utf16) {
      this.use(utf16, iconvDecoder(utf16 === 'utf-16le' ? 'utf-16le' : 'utf-16be'))
      return bytes
    }
    this.decide = 'undecided'
    return bytes
  }

  private chooseBetweenUtf8And1252(bytes: Buffer, final: boolean): void {
    if (isUtf8Prefix(bytes, { complete: final })) this.use('utf-8', strictUtf8Decoder(() => this.offset))
    else this.use('windows-1252', iconvDecoder('win1252'))
  }

  private use(encoding: DetectedEncoding, decoder: (bytes: Buffer, final: boolean) => string): void {
    this.detected = encoding
    this.decodeChunk = decoder
    this.decide = 'decided'
  }

  private emitText(text: string, byteCount: number): void {
    this.offset += byteCount
    if (text) this.push(text)
  }
}

/**
 * True when `bytes` is valid UTF-8. Unless `complete`, a sequence cut off at the very end is
 * allowed (the next chunk completes it).
 */
export function isUtf8Prefix(bytes: Uint8Array, { complete = false } = {}): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: !complete })
    return true
  } catch {
    return false
  }
}

function strictUtf8Decoder(currentOffset: () => number): (bytes: Buffer, final: boolean) => string {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  return (bytes, final) => {
    try {
      return decoder.decode(bytes, { stream: !final })
    } catch (err) {
      throw new RowSourceError(
        'ENCODING',
        `the file is not valid UTF-8 near byte ${currentOffset()}: earlier text was UTF-8, so the file seems to mix encodings; re-save it as "CSV UTF-8"`,
        { cause: err }
      )
    }
  }
}

function iconvDecoder(encoding: string): (bytes: Buffer, final: boolean) => string {
  const decoder = iconv().getDecoder(encoding)
  return (bytes, final) => {
    const text = decoder.write(bytes)
    return final ? text + (decoder.end() ?? '') : text
  }
}
