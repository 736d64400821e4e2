import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { concatWavs, decodeWavSamples, encodeWav, parseWav, readWavInfo, rmsLevel, WavFormatError } from '../../src/main/engine/providers/wav'

/** A WAV built by hand, chunk by chunk, so the parser is not tested against its own writer. */
function chunk(id: string, body: Buffer, declaredSize = body.length): Buffer {
  const header = Buffer.alloc(8)
  header.write(id, 0, 'ascii')
  header.writeUInt32LE(declaredSize, 4)
  return Buffer.concat([header, body, body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)])
}
function fmtBody(options: { format?: number; channels?: number; rate?: number; bits?: number; extensible?: boolean } = {}): Buffer {
  const { format = 1, channels = 1, rate = 16_000, bits = 16 } = options
  const body = Buffer.alloc(options.extensible ? 40 : 16)
  body.writeUInt16LE(options.extensible ? 0xfffe : format, 0)
  body.writeUInt16LE(channels, 2)
  body.writeUInt32LE(rate, 4)
  body.writeUInt32LE(rate * channels * (bits / 8), 8)
  body.writeUInt16LE(channels * (bits / 8), 12)
  body.writeUInt16LE(bits, 14)
  if (options.extensible) {
    body.writeUInt16LE(22, 16)
    body.writeUInt16LE(bits, 18)
    body.writeUInt16LE(format, 24) // sub-format GUID starts with the format code
  }
  return body
}
function riff(chunks: Buffer[], declaredSize?: number): Buffer {
  const body = Buffer.concat([Buffer.from('WAVE', 'ascii'), ...chunks])
  const header = Buffer.alloc(8)
  header.write('RIFF', 0, 'ascii')
  header.writeUInt32LE(declaredSize ?? body.length, 4)
  return Buffer.concat([header, body])
}
const tone = (frames: number, amplitude = 8000): Buffer => {
  const pcm = Buffer.alloc(frames * 2)
  for (let i = 0; i < frames; i++) pcm.writeInt16LE(Math.round(Math.sin(i / 5) * amplitude), i * 2)
  return pcm
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wav-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('parseWav', () => {
  it('reads a canonical PCM header', () => {
    const info = parseWav(riff([chunk('fmt ', fmtBody()), chunk('data', tone(16_000))]))
    expect(info).toMatchObject({ format: 1, channels: 1, sampleRate: 16_000, bitsPerSample: 16, blockAlign: 2, dataOffset: 44, frames: 16_000 })
    expect(info.durationSec).toBe(1)
  })

  it('skips extra chunks, including odd-sized ones with a pad byte', () => {
    const list = chunk('LIST', Buffer.from('INFOISFT\x05\x00\x00\x00Lavf\x00', 'latin1'))
    const odd = chunk('junk', Buffer.from('abc'))
    const info = parseWav(riff([odd, chunk('fmt ', fmtBody({ rate: 8000 })), list, chunk('fact', Buffer.alloc(4)), chunk('data', tone(4000))]))
    expect(info.sampleRate).toBe(8000)
    expect(info.durationSec).toBe(0.5)
  })

  it('handles streamed headers with 0xFFFFFFFF or 0 sizes (espeak to stdout, OpenAI)', () => {
    const pcm = tone(2205)
    for (const unknown of [0xffffffff, 0]) {
      const file = riff([chunk('fmt ', fmtBody({ rate: 22_050 })), chunk('data', pcm, unknown)], unknown)
      expect(parseWav(file).durationSec).toBeCloseTo(0.1, 6)
    }
  })

  it('trusts the bytes present when the data size overstates them (truncated file), whole frames only', () => {
    const file = riff([chunk('fmt ', fmtBody({ channels: 2 })), chunk('data', tone(1001), 1_000_000)])
    const info = parseWav(file)
    expect(info.dataBytes % info.blockAlign).toBe(0)
    expect(info.frames).toBe(500)
  })

  it('resolves WAVE_FORMAT_EXTENSIBLE to its sub-format', () => {
    expect(parseWav(riff([chunk('fmt ', fmtBody({ extensible: true, format: 3, bits: 32 })), chunk('data', Buffer.alloc(64))])).format).toBe(3)
  })

  it('rejects what is not a WAV', () => {
    expect(() => parseWav(Buffer.from('ID3 not a wav at all'))).toThrow(WavFormatError)
    expect(() => parseWav(riff([chunk('fmt ', fmtBody())]))).toThrow(/no data chunk/)
    expect(() => parseWav(riff([chunk('data', tone(10))]))).toThrow(/before fmt/)
  })
})

describe('readWavInfo / decode / encode / concat', () => {
  it('reads the header of a file on disk, with the size from the file', async () => {
    const path = join(dir, 'streamed.wav')
    await writeFile(path, riff([chunk('fmt ', fmtBody({ rate: 10_000 })), chunk('data', tone(150_000), 0xffffffff)], 0xffffffff))
    expect((await readWavInfo(path)).durationSec).toBe(15)
  })

  it('decodes samples and measures loudness', () => {
    const loud = decodeWavSamples(encodeWav(tone(1000, 16_000), { sampleRate: 8000, channels: 1, bitsPerSample: 16 }))
    const silent = decodeWavSamples(encodeWav(Buffer.alloc(2000), { sampleRate: 8000, channels: 1, bitsPerSample: 16 }))
    expect(rmsLevel(loud.samples)).toBeGreaterThan(0.2)
    expect(rmsLevel(silent.samples)).toBe(0)
  })

  it('concatenates same-format WAVs and refuses mixed formats', () => {
    const a = encodeWav(tone(800), { sampleRate: 8000, channels: 1, bitsPerSample: 16 })
    const b = riff([chunk('LIST', Buffer.alloc(10)), chunk('fmt ', fmtBody({ rate: 8000 })), chunk('data', tone(400), 0xffffffff)], 0xffffffff)
    const joined = parseWav(concatWavs([a, b]))
    expect(joined.frames).toBe(1200)
    expect(joined.dataOffset).toBe(44)
    expect(() => concatWavs([a, encodeWav(tone(10), { sampleRate: 16_000, channels: 1, bitsPerSample: 16 })])).toThrow(/different formats/)
  })
})
