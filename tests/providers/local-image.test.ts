/** Local image generation against fakes of AUTOMATIC1111/Forge and ComfyUI: pictures, progress, cancellation that stops the server's job. */
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { Automatic1111ImageProvider } from '../../src/main/engine/providers/automatic1111-image'
import { ComfyUIImageProvider, defaultWorkflow, injectWorkflow } from '../../src/main/engine/providers/comfyui-image'
import { startAutomatic1111Server } from '../helpers/automatic1111-server'
import { closeAfterEach } from '../helpers/closing'
import { startComfyUIServer } from '../helpers/comfyui-server'
import { tempDir, until } from '../helpers/engine'
import { failure } from '../helpers/step-error'

const track = closeAfterEach()
const request = { prompt: 'a lighthouse at dusk', width: 1080, height: 1920, style: 'watercolor' }

describe('AUTOMATIC1111 / Forge', () => {
  it('generates at a Stable Diffusion size, reports progress, and writes the exact size asked', async () => {
    const server = track(await startAutomatic1111Server({ workMs: 400 }), (s) => s.close())
    const progress: number[] = []
    const out = join(tempDir('a1111-'), 'image.png')
    const result = await new Automatic1111ImageProvider({ baseURL: server.baseURL, progressEveryMs: 50 }).generate(request, { signal: new AbortController().signal, outPath: out, onProgress: (p) => progress.push(p) })
    const sent = server.requests('POST /sdapi/v1/txt2img')[0]!.body as Record<string, number | string>
    expect(sent).toMatchObject({ prompt: 'a lighthouse at dusk, watercolor' })
    expect([Number(sent.width) % 64, Number(sent.height) % 64]).toEqual([0, 0])
    expect(Number(sent.height) / Number(sent.width)).toBeCloseTo(1920 / 1080, 1)
    const meta = await sharp(out).metadata()
    expect([meta.width, meta.height]).toEqual([1080, 1920])
    expect(progress.some((p) => p > 0 && p < 100)).toBe(true)
    expect(progress.at(-1)).toBe(100)
    expect(result).toMatchObject({ costUsd: 0, priceKnown: true, provider: `automatic1111:127.0.0.1:${server.port}` })
  })

  it('cancelling the step interrupts the job on the server', async () => {
    const server = track(await startAutomatic1111Server({ workMs: 10_000 }), (s) => s.close())
    const controller = new AbortController()
    const pending = new Automatic1111ImageProvider({ baseURL: server.baseURL }).generate(request, { signal: controller.signal, outPath: join(tempDir('a1111-'), 'x.png') })
    await until(() => server.calls('POST /sdapi/v1/txt2img') === 1, 5_000, 'the request')
    controller.abort()
    expect((await failure(pending)).kind).toBe('cancelled')
    await until(() => server.interrupted() === 1, 5_000, 'the interrupt')
  })

  it('a server that is not running is an outage', async () => {
    const server = await startAutomatic1111Server()
    await server.close()
    expect((await failure(new Automatic1111ImageProvider({ baseURL: server.baseURL }).probe())).kind).toBe('provider-unavailable')
  })
})

describe('ComfyUI', () => {
  it('injects prompt, size and seed into the workflow, follows progress over the websocket, reads the picture via history and view', async () => {
    const server = track(await startComfyUIServer(), (s) => s.close())
    const progress: number[] = []
    const out = join(tempDir('comfy-'), 'image.png')
    const result = await new ComfyUIImageProvider({ baseURL: server.baseURL, negativePrompt: 'blurry' }).generate(request, { signal: new AbortController().signal, outPath: out, onProgress: (p) => progress.push(p) })
    const sent = server.prompts[0]!
    expect(sent['6']!.inputs.text).toBe('a lighthouse at dusk, watercolor')
    expect(sent['7']!.inputs.text).toBe('blurry')
    expect(Number(sent['5']!.inputs.height)).toBeGreaterThan(Number(sent['5']!.inputs.width))
    expect(typeof sent['3']!.inputs.seed).toBe('number')
    expect(progress).toEqual([20, 40, 60, 80, 99, 100])
    const meta = await sharp(out).metadata()
    expect([meta.width, meta.height]).toEqual([1080, 1920])
    expect(result.provider).toBe(`comfyui:127.0.0.1:${server.port}`)
  })

  it("without placeholders, the prompt goes to the text node wired to the sampler's positive input", () => {
    const wf = defaultWorkflow('x.safetensors')
    wf['6']!.inputs.text = 'old'
    wf['7']!.inputs.text = 'old negative'
    const injected = injectWorkflow(wf, { prompt: 'new', negative: '', width: 640, height: 384, seed: 42 })
    expect([injected['6']!.inputs.text, injected['7']!.inputs.text, injected['5']!.inputs.width, injected['3']!.inputs.seed]).toEqual(['new', 'old negative', 640, 42])
  })

  it('cancelling the step interrupts the prompt on the server', async () => {
    const server = track(await startComfyUIServer(), (s) => s.close())
    server.stepMs = 1_000
    const controller = new AbortController()
    const pending = new ComfyUIImageProvider({ baseURL: server.baseURL }).generate(request, { signal: controller.signal, outPath: join(tempDir('comfy-'), 'x.png') })
    await until(() => server.prompts.length === 1, 5_000, 'the prompt')
    controller.abort()
    expect((await failure(pending)).kind).toBe('cancelled')
    await until(() => server.interrupted() === 1, 5_000, 'the interrupt')
  })
})
