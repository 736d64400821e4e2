/** The shared test server's own contract (the engine tests rely on it too). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { behaviours, startOpenAICompatibleServer, type OpenAICompatibleServer } from '../helpers/openai-compatible-server'

let server: OpenAICompatibleServer
beforeAll(async () => {
  server = await startOpenAICompatibleServer({ reply: 'Short reply.' })
})
afterAll(() => server.close())

describe('startOpenAICompatibleServer', () => {
  it('listens on 127.0.0.1 with a random port and a /v1 base URL', () => {
    expect(server.baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/)
    expect(server.port).toBeGreaterThan(0)
  })

  it('answers each route, counts calls per route and records requests', async () => {
    server.reset()
    // Loose JSON access is fine here: the assertions check the shapes.
    const json = async (response: Promise<Response> | Response): Promise<any> => (await response).json()
    const post = (path: string, body: unknown) => fetch(`${server.baseURL}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect((await json(fetch(`${server.baseURL}/models`))).data.length).toBeGreaterThan(0)
    expect((await json(post('/chat/completions', { model: 'm', messages: [] }))).choices[0].message.content).toBe('Short reply.')
    const sse = await (await post('/chat/completions', { model: 'm', messages: [], stream: true })).text()
    expect(sse).toContain('data: [DONE]')
    expect((await json(post('/images/generations', { prompt: 'p' }))).data[0].b64_json).toMatch(/^iVBOR/)
    expect((await (await post('/audio/speech', { input: 'x' })).arrayBuffer()).byteLength).toBeGreaterThan(44)
    expect((await json(post('/moderations', { input: 'fine' }))).results[0].flagged).toBe(false)
    expect([server.calls('models'), server.calls('chat'), server.calls('images'), server.calls('speech'), server.calls('moderations')]).toEqual([1, 2, 1, 1, 1])
    expect(server.requests('chat')[1]?.body).toMatchObject({ stream: true })
  })

  it('plays scripted behaviours in order, then answers normally', async () => {
    server.reset()
    server.script('models', [behaviours.rateLimited('3'), behaviours.unavailable()])
    const first = await fetch(`${server.baseURL}/models`)
    expect([first.status, first.headers.get('retry-after')]).toEqual([429, '3'])
    expect((await fetch(`${server.baseURL}/models`)).status).toBe(503)
    expect((await fetch(`${server.baseURL}/models`)).status).toBe(200)
    expect(server.calls('models')).toBe(3)
    await expect(fetch(`${server.baseURL}/nope`).then((r) => r.status)).resolves.toBe(404)
  })
})
