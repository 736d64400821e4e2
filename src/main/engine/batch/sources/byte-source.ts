import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { RowSourceError, abortReason } from './errors'
import { looksBinary } from './text-sniff'

/**
 * Bytes pulled on demand, from a file or an HTTP body. Pull-based on purpose: an HTTP idle timeout
 * then measures only the time spent waiting for the server, never time the consumer spent
 * processing rows (backpressure).
 */
export interface ByteSource {
  next(): Promise<IteratorResult<Buffer>>
  /** Stop reading and release the file or connection. Safe to call twice. */
  destroy(): void
  readonly totalBytes: number | undefined
}

/** A local file as a ByteSource, with readable errors for the usual mistakes. */
export async function openFileBytes(path: string, signal: AbortSignal | undefined): Promise<ByteSource> {
  let size: number
  try {
    const info = await stat(path)
    if (info.isDirectory()) throw new RowSourceError('NOT_FOUND', `${path} is a folder, not a spreadsheet file`)
    size = info.size
  } catch (err) {
    if (err instanceof RowSourceError) throw err
    const code = (err as { code?: string }).code
    if (code === 'ENOENT') throw new RowSourceError('NOT_FOUND', `file not found: ${path}`, { cause: err })
    if (code === 'EACCES' || code === 'EPERM') {
      throw new RowSourceError('ACCESS_DENIED', `no permission to read ${path}`, { cause: err })
    }
    throw new RowSourceError('NOT_FOUND', `cannot open ${path}: ${(err as Error).message}`, { cause: err })
  }
  signal?.throwIfAborted()
  const stream = createReadStream(path, { highWaterMark: 64 * 1024, ...(signal ? { signal } : {}) })
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  return {
    totalBytes: size,
    next: async () => {
      try {
        return await iterator.next()
      } catch (err) {
        if (signal?.aborted) throw abortReason(signal)
        throw new RowSourceError('NOT_FOUND', `error while reading ${path}: ${(err as Error).message}`, { cause: err })
      }
    },
    destroy: () => stream.destroy()
  }
}

export interface PeekedBytes {
  /** At least `minBytes` bytes from the start (fewer only when the whole input is shorter). */
  head: Buffer
  /** Every byte, head included, as a Node stream for parsers. Destroying it releases the source. */
  stream: Readable
  bytesRead(): number
  /** Release the source first, then the stream: the stream alone would wait for a pending read. */
  destroy(): void
}

/** Read the first bytes (to sniff the format) without losing them for the parser that follows. */
export async function peekBytes(source: ByteSource, minBytes: number): Promise<PeekedBytes> {
  const chunks: Buffer[] = []
  let length = 0
  let exhausted = false
  try {
    while (length < minBytes) {
      const result = await source.next()
      if (result.done) {
        exhausted = true
        break
      }
      chunks.push(result.value)
      length += result.value.length
    }
  } catch (err) {
    source.destroy()
    throw err
  }
  const head = Buffer.concat(chunks)
  let bytesRead = head.length

  async function* replay(): AsyncGenerator<Buffer> {
    try {
      if (head.length) yield head
      if (exhausted) return
      for (;;) {
        const result = await source.next()
        if (result.done) return
        bytesRead += result.value.length
        yield result.value
      }
    } finally {
      source.destroy()
    }
  }

  const stream = Readable.from(replay(), { objectMode: false })
  return {
    head,
    stream,
    bytesRead: () => bytesRead,
    destroy: () => {
      source.destroy()
      stream.destroy()
    }
  }
}

export type SniffedFormat = 'xlsx' | 'xls' | 'html' | 'csv' | 'binary'

/** Tell the format from the first bytes, whatever the file name or Content-Type claims. */
export function sniffFormat(head: Buffer): SniffedFormat {
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'xlsx'
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) return 'xls'
  const start = head.subarray(0, 512).toString('latin1').replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart().toLowerCase()
  if (start.startsWith('<!doctype html') || start.startsWith('<html')) return 'html'
  // A binary file renamed .csv: read as text it echoed raw control bytes as "available columns".
  if (looksBinary(head)) return 'binary'
  return 'csv'
}
