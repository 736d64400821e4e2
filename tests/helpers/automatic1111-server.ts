/**
 * A local fake of the AUTOMATIC1111 / Forge WebUI API: POST /sdapi/v1/txt2img works for
 * `workMs` (progress on GET /sdapi/v1/progress meanwhile), then answers { images: [base64 PNG] };
 * POST /sdapi/v1/interrupt stops the current job early, as the real server does.
 */
import sharp from 'sharp'
import { sendJson, startFakeHttp, type FakeHttpServer } from './fake-http'

export interface A1111Fake extends FakeHttpServer {
  workMs: number
  /** Interrupts received while a job was running. */
  readonly interrupted: () => number
}

export async function startAutomatic1111Server(options: { workMs?: number } = {}): Promise<A1111Fake> {
  const state = { workMs: options.workMs ?? 300, current: null as null | { started: number; stop: () => void }, interrupted: 0 }
  const fake = await startFakeHttp({
    'GET /sdapi/v1/progress': (_req, res) => {
      const c = state.current
      sendJson(res, 200, { progress: c ? Math.min(1, (Date.now() - c.started) / state.workMs) : 0, eta_relative: 0, state: { job_count: c ? 1 : 0 }, current_image: null })
    },
    'POST /sdapi/v1/interrupt': (_req, res) => {
      if (state.current) {
        state.interrupted++
        state.current.stop()
      }
      sendJson(res, 200, {})
    },
    'POST /sdapi/v1/txt2img': async (req, res) => {
      const body = req.body as { width: number; height: number; prompt: string }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, state.workMs)
        state.current = { started: Date.now(), stop: () => (clearTimeout(timer), resolve()) }
      })
      state.current = null
      const png = await sharp({ create: { width: body.width, height: body.height, channels: 3, background: { r: 40, g: 120, b: 200 } } }).png().toBuffer()
      sendJson(res, 200, { images: [png.toString('base64')], parameters: body, info: '{}' })
    }
  })
  Object.defineProperty(fake, 'workMs', { get: () => state.workMs, set: (v: number) => (state.workMs = v) })
  return Object.assign(fake, { interrupted: () => state.interrupted }) as A1111Fake
}
