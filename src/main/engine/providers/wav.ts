/**
 * Just enough RIFF/WAVE to know what a TTS engine produced: format, duration, samples.
 * Real-world WAVs are messy: extra chunks (LIST, fact, bext) before `data`, odd-sized chunks
 * padded to even length, WAVE_FORMAT_EXTENSIBLE headers, and streamed files (espeak to stdout,
 * OpenAI's streamed wav) whose RIFF and data sizes are 0xFFFFFFFF or 0 because the writer could
 * not seek back. For those we trust the bytes actually present.
 */
import { open } from 'node:fs/promises'
import { StudioError } from '../errors'

export const WAVE_FORMAT_PCM = 1
export const WAVE_FORMAT_IEEE_FLOAT = 3
export const WAVE_FORMAT_EXTENSIBLE = 0xfffe

export interface WavInfo {
  /** 1 = PCM, 3 = IEEE float (EXTENSIBLE is resolved to its sub-format). */
  format: number
  channels: number
  sampleRate: number
  bitsPerSample: number
  blockAlign: number
  /** Byte offset of the first sample. */
  dataOffset: number
  /** Bytes of sample data actually available (whole frames only). */
  dataBytes: number
  frames: number
  durationSec: number
}

export class WavFormatError extends StudioError {
  constructor(message: string) {
    // A file the user gave (or a provider sent) that is not a WAV we can read.
    super('bad_request', message)
    this.name = 'WavFormatError'
  }
}

const UNKNOWN_SIZES = new Set([0, 0xffffffff, 0x7fffffff])

/**
 * Parse a WAV header. `buffer` may hold only the beginning of the file (the header); pass the
 * real `fileSize` so the data length can be derived when the header does not say it.
 */
export function parseWav(buffer: Uint8Array, fileSize: number = buffer.length): WavInfo {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength)
  const tag = (offset: number): string =>
    offset + 4 <= buffer.length ? String.fromCharCode(...buffer.subarray(offset, offset + 4)) : ''
  if (buffer.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') {
    throw new WavFormatError(tag(0) === 'RIFX' ? 'big-endian WAV (RIFX) is not supported' : 'not a RIFF/WAVE file')
  }

  let fmt: Omit<WavInfo, 'dataOffset' | 'dataBytes' | 'frames' | 'durationSec'> | undefined
  let offset = 12
  while (offset + 8 <= buffer.length) {
    const id = tag(offset)
    const size = view.getUint32(offset + 4, true)
    const body = offset + 8
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buffer.length) throw new WavFormatError('truncated fmt chunk')
      let format = view.getUint16(body, true)
      const channels = view.getUint16(body + 2, true)
      const sampleRate = view.getUint32(body + 4, true)
      const blockAlignField = view.getUint16(body + 12, true)
      const bitsPerSample = view.getUint16(body + 14, true)
      if (format === WAVE_FORMAT_EXTENSIBLE && size >= 40 && body + 26 <= buffer.length) {
        // The sub-format GUID starts with the real format code.
        format = view.getUint16(body + 24, true)
      }
      if (channels === 0 || sampleRate === 0 || bitsPerSample === 0) throw new WavFormatError('invalid fmt chunk (zero channels, rate or bit depth)')
      // Some writers leave blockAlign at 0; it is derivable.
      const blockAlign = blockAlignField || channels * Math.ceil(bitsPerSample / 8)
      fmt = { format, channels, sampleRate, bitsPerSample, blockAlign }
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError('data chunk before fmt chunk')
      const available = Math.max(0, fileSize - body)
      const declared = UNKNOWN_SIZES.has(size) ? available : Math.min(size, available)
      const frames = Math.floor(declared / fmt.blockAlign)
      const dataBytes = frames * fmt.blockAlign
      return { ...fmt, dataOffset: body, dataBytes, frames, durationSec: frames / fmt.sampleRate }
    }
    if (size === 0xffffffff) throw new WavFormatError(`chunk "${id}" has an unknown size`)
    // Chunks are padded to an even length.
    offset = body + size + (size % 2)
  }
  throw new WavFormatError(fmt ? 'no data chunk' : 'no fmt chunk')
}

/** Parse the header of a WAV file on disk (reads at most the first 64 KiB). */
export async function readWavInfo(path: string): Promise<WavInfo> {
  const handle = await open(path, 'r')
  try {
    const { size } = await handle.stat()
    const head = Buffer.alloc(Math.min(size, 64 * 1024))
    await handle.read(head, 0, head.length, 0)
    return parseWav(head, size)
  } finally {
    await handle.close()
  }
}

/** Samples of a whole WAV as floats in [-1, 1], interleaved. Supports 8/16/24/32-bit PCM and 32-bit float. */
export function decodeWavSamples(buffer: Uint8Array): { info: WavInfo; samples: Float32Array } {
  const info = parseWav(buffer)
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength)
  const bytes = info.bitsPerSample / 8
  const count = info.frames * info.channels
  const samples = new Float32Array(count)
  for (let i = 0; i < count; i++) {
    const at = info.dataOffset + i * bytes
    if (info.format === WAVE_FORMAT_IEEE_FLOAT && bytes === 4) samples[i] = view.getFloat32(at, true)
    else if (info.format !== WAVE_FORMAT_PCM) throw new WavFormatError(`unsupported sample format ${info.format}`)
    else if (bytes === 1) samples[i] = (view.getUint8(at) - 128) / 128
    else if (bytes === 2) samples[i] = view.getInt16(at, true) / 32768
    else if (bytes === 3) samples[i] = ((view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16)) / 8388608)
    else if (bytes === 4) samples[i] = view.getInt32(at, true) / 2147483648
    else throw new WavFormatError(`unsupported bit depth ${info.bitsPerSample}`)
  }
  return { info, samples }
}

/** Root-mean-square level in [0, 1]: ~0 means silence. */
export function rmsLevel(samples: Float32Array): number {
  if (samples.length === 0) return 0
  let sum = 0
  for (const s of samples) sum += s * s
  return Math.sqrt(sum / samples.length)
}

/** A canonical 44-byte-header PCM WAV. */
export function encodeWav(pcm: Uint8Array, format: { sampleRate: number; channels: number; bitsPerSample: number }): Buffer {
  const blockAlign = format.channels * (format.bitsPerSample / 8)
  const header = Buffer.alloc(44)
  header.write('RIFF', 0, 'ascii')
  header.writeUInt32LE(36 + pcm.length, 4)
  header.write('WAVE', 8, 'ascii')
  header.write('fmt ', 12, 'ascii')
  header.writeUInt32LE(16, 16)
  header.writeUInt16LE(WAVE_FORMAT_PCM, 20)
  header.writeUInt16LE(format.channels, 22)
  header.writeUInt32LE(format.sampleRate, 24)
  header.writeUInt32LE(format.sampleRate * blockAlign, 28)
  header.writeUInt16LE(blockAlign, 32)
  header.writeUInt16LE(format.bitsPerSample, 34)
  header.write('data', 36, 'ascii')
  header.writeUInt32LE(pcm.length, 40)
  return Buffer.concat([header, pcm])
}

/**
 * Join WAVs that share one PCM format into a single file with a clean header (used when a long
 * narration had to be synthesised in several requests).
 */
export function concatWavs(parts: readonly Uint8Array[]): Buffer {
  if (parts.length === 0) throw new WavFormatError('nothing to concatenate')
  const infos = parts.map((p) => parseWav(p))
  const first = infos[0] as WavInfo
  for (const info of infos) {
    if (info.format !== first.format || info.channels !== first.channels || info.sampleRate !== first.sampleRate || info.bitsPerSample !== first.bitsPerSample) {
      throw new WavFormatError('cannot concatenate WAVs with different formats')
    }
  }
  if (first.format !== WAVE_FORMAT_PCM) throw new WavFormatError('only PCM WAVs can be concatenated')
  const pcm = Buffer.concat(parts.map((p, i) => {
    const info = infos[i] as WavInfo
    return p.subarray(info.dataOffset, info.dataOffset + info.dataBytes)
  }))
  return encodeWav(pcm, first)
}
