/**
 * A local fake of the ComfyUI server API: POST /prompt queues a workflow (answers prompt_id),
 * the websocket /ws?clientId= carries "progress" messages then "executing" with node null,
 * GET /history/{id} lists the outputs, GET /view?filename= serves the PNG, POST /interrupt stops
 * the running prompt ("execution_interrupted"), GET /system_stats answers the health probe.
 */
import sharp from 'sharp'
import { WebSocketServer, type WebSocket } from 'ws'
import { sendJson, startFakeHttp, type FakeHttpServer } from './fake-http'

export interface ComfyFake extends FakeHttpServer {
  /** Workflows received, as sent. */
  readonly prompts: Array<Record<string, { class_type: string; inputs: Record<string, unknown> }>>
  readonly interrupted: () => number
  steps: number
  stepMs: number
}

export async function startComfyUIServer(): Promise<ComfyFake> {
  const state = { steps: 5, stepMs: 40, interrupted: 0, next: 1, running: null as null | { stop: () => void } }
  const prompts: ComfyFake['prompts'] = []
  const clients = new Map<string, WebSocket>()
  const done = new Map<string, { width: number; height: number }>()
  const fake = await startFakeHttp({
    'GET /system_stats': (_req, res) => sendJson(res, 200, { system: { os: 'fake' }, devices: [] }),
    'POST /interrupt': (_req, res) => {
      if (state.running) {
        state.interrupted++
        state.running.stop()
      }
      sendJson(res, 200, {})
    },
    'POST /prompt': (req, res) => {
      const body = req.body as { prompt: ComfyFake['prompts'][number]; client_id: string }
      prompts.push(body.prompt)
      const id = `p-${state.next++}`
      sendJson(res, 200, { prompt_id: id, number: state.next, node_errors: {} })
      const ws = clients.get(body.client_id)
      const latent = Object.values(body.prompt).find((n) => n.class_type === 'EmptyLatentImage')
      const size = { width: Number(latent?.inputs.width ?? 512), height: Number(latent?.inputs.height ?? 512) }
      let step = 0
      let stopped = false
      const send = (m: unknown) => ws?.readyState === 1 && ws.send(JSON.stringify(m))
      const tick = setInterval(() => {
        if (stopped) return
        step++
        send({ type: 'progress', data: { value: step, max: state.steps, prompt_id: id, node: '3' } })
        if (step >= state.steps) {
          clearInterval(tick)
          done.set(id, size)
          send({ type: 'executing', data: { node: null, prompt_id: id } })
          state.running = null
        }
      }, state.stepMs)
      state.running = {
        stop: () => {
          stopped = true
          clearInterval(tick)
          state.running = null
          send({ type: 'execution_interrupted', data: { prompt_id: id } })
        }
      }
    },
    'GET /history/:id': (req, res) => {
      const id = req.path.split('/').pop()!
      if (!done.has(id)) return sendJson(res, 200, {})
      sendJson(res, 200, { [id]: { outputs: { '9': { images: [{ filename: `${id}.png`, subfolder: '', type: 'output' }] } }, status: { completed: true } } })
    },
    'GET /view': async (req, res) => {
      const id = (req.query.get('filename') ?? '').replace(/\.png$/, '')
      const size = done.get(id)
      if (!size) return sendJson(res, 404, { error: 'no such file' })
      const png = await sharp({ create: { ...size, channels: 3, background: { r: 200, g: 80, b: 40 } } }).png().toBuffer()
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length })
      res.end(png)
    }
  })
  const wss = new WebSocketServer({ server: fake.server, path: '/ws' })
  wss.on('connection', (ws, req) => {
    const clientId = new URL(req.url ?? '/', 'http://x').searchParams.get('clientId') ?? ''
    clients.set(clientId, ws)
    ws.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: clientId } }))
  })
  const close = fake.close
  Object.defineProperty(fake, 'steps', { get: () => state.steps, set: (v: number) => (state.steps = v) })
  Object.defineProperty(fake, 'stepMs', { get: () => state.stepMs, set: (v: number) => (state.stepMs = v) })
  return Object.assign(fake, {
    prompts,
    interrupted: () => state.interrupted,
    close: async () => {
      for (const c of wss.clients) c.terminate()
      wss.close()
      await close()
    }
  }) as ComfyFake
}
