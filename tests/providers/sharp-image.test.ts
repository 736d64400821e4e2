import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SharpImageProvider, titleCardSvg, wrapText } from '../../src/main/engine/providers/sharp-image'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sharp-image-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const provider = new SharpImageProvider()
const signal = () => new AbortController().signal

describe('SharpImageProvider (offline title cards)', () => {
  it('renders the requested size, not a flat colour, with text on it', async () => {
    for (const [width, height] of [[1080, 1920], [1280, 720], [333, 211]] as const) {
      const outPath = join(dir, `card-${width}x${height}.png`)
      const result = await provider.generate({ prompt: 'Home composting made simple for beginners', subtitle: 'Episode 1', width, height }, { signal: signal(), outPath })
      expect(result).toMatchObject({ path: outPath, width, height, provider: 'sharp-title-card', offline: true, costUsd: 0 })
      const meta = await sharp(outPath).metadata()
      expect([meta.format, meta.width, meta.height]).toEqual(['png', width, height])
      const stats = await sharp(outPath).stats()
      // A gradient plus white text: every colour channel varies a lot across the image.
      for (const channel of stats.channels.slice(0, 3)) {
        expect(channel.max - channel.min).toBeGreaterThan(60)
        expect(channel.stdev).toBeGreaterThan(5)
      }
      // White title text is present.
      expect(stats.channels.slice(0, 3).every((c) => c.max >= 240)).toBe(true)
    }
    // Written atomically: no temp files left behind.
    expect((await readdir(dir)).filter((f) => f.includes('.tmp'))).toEqual([])
  })

  it('picks the background from the prompt: same prompt same card, other prompt other colours', async () => {
    const a1 = await render('Urban beekeeping')
    const a2 = await render('Urban beekeeping')
    const b = await render('Quantum computing for kids')
    expect(a1.pixels.equals(a2.pixels)).toBe(true)
    expect(a1.pixels.equals(b.pixels)).toBe(false)
    const mean = async (path: string) => (await sharp(path).stats()).channels.slice(0, 3).map((c) => Math.round(c.mean))
    expect(await mean(a1.path)).not.toEqual(await mean(b.path))
  })

  it('escapes markup in titles and wraps long ones', () => {
    const svg = titleCardSvg({ prompt: 'x', title: 'Tom & Jerry <script>', width: 800, height: 600 })
    expect(svg).toContain('>Tom &amp; Jerry<')
    expect(svg).toContain('>&lt;script&gt;<')
    expect(svg).not.toContain('<script>')
    expect(wrapText('one two three four five six', 9)).toEqual(['one two', 'three', 'four five', 'six'])
    expect(wrapText('Supercalifragilistic', 8)).toEqual(['Supercal', 'ifragili', 'stic'])
  })

  it('rejects impossible sizes as permanent errors and honours cancellation', async () => {
    await expect(provider.generate({ prompt: 'x', width: 0, height: 100 }, { signal: signal(), outPath: join(dir, 'bad.png') })).rejects.toMatchObject({ kind: 'permanent' })
    const controller = new AbortController()
    controller.abort()
    await expect(provider.generate({ prompt: 'x', width: 10, height: 10 }, { signal: controller.signal, outPath: join(dir, 'never.png') })).rejects.toMatchObject({ kind: 'cancelled' })
  })
})

async function render(prompt: string): Promise<{ path: string; pixels: Buffer }> {
  const outPath = join(dir, `${prompt.replace(/\W+/g, '-')}-${Math.random()}.png`)
  await provider.generate({ prompt, width: 320, height: 180 }, { signal: signal(), outPath })
  return { path: outPath, pixels: await sharp(outPath).raw().toBuffer() }
}
