/**
 * Stock visuals (Pexels): keywords from a scene's narration, search and import through the command
 * API against a local fake of Pexels' REST API, the credit stored and returned with the asset, one
 * download per item, the key kept out of errors and the database, and downloads that never reach an
 * address other than the library's own public ones.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main, type CliIo } from '../../src/cli/main'
import { dispatch } from '../../src/main/api/handlers'
import { studioHandlers } from '../../src/main/api/studio-handlers'
import { resolveBinaries } from '../../src/main/engine/render/binaries'
import { isProviderMediaUrl } from '../../src/main/engine/stock/download'
import { keywordsFor, parseProposedKeywords } from '../../src/main/engine/stock/keywords'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import type { StockSearchResult } from '../../src/shared/stock'
import type { AssetView } from '../../src/shared/types'
import { closeAfterEach } from '../helpers/closing'
import { tempDir } from '../helpers/engine'
import { PEXELS_TEST_KEY, startPexelsFake, type PexelsFake } from '../helpers/pexels-server'

const track = closeAfterEach()
const INTERNAL_IP = '127.0.0.3'

let fake: PexelsFake
let internal: { server: Server; port: number; hits: number }
beforeAll(async () => {
  // A real one-second MP4 for the fake to serve.
  const dir = tempDir('pexels-media-')
  const mp4 = join(dir, 'clip.mp4')
  const { ffmpeg } = await resolveBinaries()
  execFileSync(ffmpeg.path, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x90:rate=10:duration=1', '-pix_fmt', 'yuv420p', mp4])
  fake = await startPexelsFake(readFileSync(mp4))
  // Something only this computer can reach: a download must never touch it.
  const hits = { n: 0 }
  const server = createServer((_req, res) => {
    hits.n++
    res.writeHead(200, { 'content-type': 'image/jpeg' })
    res.end('secret')
  })
  await new Promise<void>((resolve) => server.listen(0, INTERNAL_IP, resolve))
  internal = {
    server,
    port: (server.address() as AddressInfo).port,
    get hits() {
      return hits.n
    }
  }
}, 60_000)
afterAll(async () => {
  await fake?.close()
  internal?.server.closeAllConnections()
  await new Promise((resolve) => internal?.server.close(resolve))
})

function openWithPexels(env: NodeJS.ProcessEnv = { PEXELS_API_KEY: PEXELS_TEST_KEY }): Studio {
  const studio = track(openStudio({ dataDir: tempDir('studio-stock-'), env }), (s: Studio) => s.close(0))
  // A server other than Pexels' own gets a key only from the variable the settings name.
  studio.settings.replace({ ...studio.settings.get(), providers: { stock: { kind: 'pexels', baseURL: fake.baseURL, apiKeyEnv: 'PEXELS_API_KEY' } } })
  return studio
}

async function call<T>(studio: Studio, name: Parameters<typeof dispatch>[1], request: unknown): Promise<T> {
  const r = (await dispatch(studioHandlers(studio), name, request)) as { ok: boolean; value?: T; error?: { code: string; message: string } }
  if (!r.ok) throw Object.assign(new Error(r.error!.message), { code: r.error!.code })
  return r.value as T
}

describe('keywordsFor', () => {
  it('keeps the words that carry meaning, in English and in French, most repeated first', () => {
    expect(keywordsFor('Why do octopuses have three hearts? Because octopuses pump blue blood through their gills.')).toEqual(['octopuses', 'three', 'hearts', 'pump'])
    expect(keywordsFor("Pourquoi les abeilles dansent-elles devant la ruche ? Parce que les abeilles indiquent où sont les fleurs.", 3)).toEqual(['abeilles', 'dansent', 'ruche'])
    expect(keywordsFor("L'océan, c'est immense.")).toEqual(['océan', 'immense'])
    expect(keywordsFor('the of and')).toEqual([])
    expect(parseProposedKeywords('1. Octopus\n2. deep sea\n3. "coral reef"\n4. gills', 3)).toEqual(['octopus', 'deep sea', 'coral reef'])
  })
})

describe('stock visuals through the command API', () => {
  it('searches with the keywords of a scene, imports into the media bin with author, licence and source, and downloads each item once', async () => {
    const studio = openWithPexels()
    const found = await call<StockSearchResult>(studio, 'stock/search', { projectId: 'sea', sceneText: 'Octopuses have three hearts; octopuses are clever.', kind: 'photo', count: 3 })
    expect(found).toMatchObject({ query: 'octopuses three hearts', keywordSource: 'offline', total: 240 })
    expect(found.items).toHaveLength(3)
    expect(found.items[0]).toMatchObject({ id: 1000, kind: 'photo', author: 'Ana Lee', pageUrl: 'https://www.pexels.com/photo/octopus-1000/' })
    const searched = fake.requests('GET /v1/search').at(-1)!
    expect(searched.query.get('query')).toBe('octopuses three hearts')
    expect(searched.query.get('per_page')).toBe('3')
    expect(searched.headers.authorization).toBe(PEXELS_TEST_KEY)

    const before = fake.calls('GET /media/photos/:file')
    const asset = await call<AssetView>(studio, 'stock/import', { projectId: 'sea', id: 1000, kind: 'photo' })
    expect(asset).toMatchObject({
      projectId: 'sea',
      kind: 'image',
      name: 'pexels-1000-octopus-in-the-deep-sea.jpeg',
      credit: { author: 'Ana Lee', authorUrl: 'https://www.pexels.com/@ana-lee', licence: 'Pexels License', licenceUrl: 'https://www.pexels.com/license/', sourceUrl: 'https://www.pexels.com/photo/octopus-1000/' }
    })
    expect(readFileSync(asset.path).equals(fake.jpeg)).toBe(true)
    const again = await call<AssetView>(studio, 'stock/import', { projectId: 'sea', id: 1000, kind: 'photo' })
    expect(again.id).toBe(asset.id)
    expect(fake.calls('GET /media/photos/:file') - before).toBe(1)
    const bin = await call<AssetView[]>(studio, 'assets/list', { projectId: 'sea' })
    expect(bin.map((a) => a.credit?.author)).toEqual(['Ana Lee'])

    // A video: the MP4 that fits a 1080p frame, not the 4K one nor the HLS playlist.
    const clip = await call<AssetView>(studio, 'stock/import', { projectId: 'sea', id: 77, kind: 'video' })
    expect(clip).toMatchObject({ kind: 'video', name: 'pexels-77.mp4', credit: { author: 'Bo Chen', sourceUrl: 'https://www.pexels.com/video/waves-77/' } })
    expect(fake.requests('GET /media/videos/:file').at(-1)!.path).toBe('/media/videos/77-1920.mp4')
    expect(readFileSync(clip.path).equals(fake.mp4)).toBe(true)

    // The key is in no error and nowhere in the database.
    const db = readFileSync(join(studio.dataDir, 'studio.db'))
    expect(db.includes(PEXELS_TEST_KEY)).toBe(false)
  })

  it('a download named by the answer goes only to the library itself, never to an internal address, even after a redirect', async () => {
    const studio = openWithPexels()
    fake.photoUrl.set(5, `http://${INTERNAL_IP}:${internal.port}/secret.jpeg`)
    await expect(call(studio, 'stock/import', { projectId: 'sea', id: 5, kind: 'photo' })).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/not a Pexels address/) })
    fake.redirect.to = `http://${INTERNAL_IP}:${internal.port}/secret.jpeg`
    fake.photoUrl.set(6, `${fake.baseURL}/media/redirect`)
    await expect(call(studio, 'stock/import', { projectId: 'sea', id: 6, kind: 'photo' })).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/after a redirect.*loopback/) })
    expect(internal.hits).toBe(0)
    expect(await call<AssetView[]>(studio, 'assets/list', { projectId: 'sea' })).toEqual([])

    // With Pexels' own API, only https *.pexels.com on the default port.
    const official = 'https://api.pexels.com'
    expect(isProviderMediaUrl('https://images.pexels.com/photos/1/a.jpeg?auto=compress', official)).toBe(true)
    expect(isProviderMediaUrl('https://videos.pexels.com/video-files/1/a.mp4', official)).toBe(true)
    for (const bad of ['http://images.pexels.com/a.jpeg', 'https://images.pexels.com.evil.example/a.jpeg', 'https://evilpexels.com/a.jpeg', 'https://u:p@images.pexels.com/a.jpeg', 'https://images.pexels.com:8443/a.jpeg', 'http://169.254.169.254/latest', 'not a url']) {
      expect(isProviderMediaUrl(bad, official)).toBe(false)
    }
  })

  it('says what is wrong: no key, a refused key, a used-up quota, bad requests naming the field', async () => {
    const none = openWithPexels({})
    await expect(call(none, 'stock/search', { query: 'sea', kind: 'photo' })).rejects.toMatchObject({ code: 'no_key', message: expect.stringMatching(/PEXELS_API_KEY/) })
    const wrong = openWithPexels({ PEXELS_API_KEY: 'not-the-key' })
    await expect(call(wrong, 'stock/search', { query: 'sea', kind: 'video' })).rejects.toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/check the Pexels API key/) })
    const studio = openWithPexels()
    fake.script('GET /v1/search', [{ kind: 'status', status: 429, body: { error: 'Too many requests' }, headers: { 'x-ratelimit-reset': '1900000000' } }])
    const limited = await call(studio, 'stock/search', { query: 'sea', kind: 'photo' }).catch((e: Error & { code: string }) => e)
    expect(limited).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/quota used up.*2030-03-17/) })
    expect(JSON.stringify(limited) + String(limited)).not.toContain(PEXELS_TEST_KEY)
    await expect(call(studio, 'stock/search', { kind: 'photo' })).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/query/) })
    await expect(call(studio, 'stock/search', { query: 'sea', kind: 'gif' })).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/kind must be photo or video/) })
    await expect(call(studio, 'stock/import', { projectId: 'sea', id: -1, kind: 'photo' })).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/^stock\/import: id/) })
  })

  it('studio project add-stock --query Q --video --count 2 --json: two clips in the bin, credited', async () => {
    const dataDir = tempDir('studio-stock-cli-')
    let out = ''
    let err = ''
    const io: CliIo = {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
      env: {},
      openEngine: (dir, options) => openStudio({ dataDir: dir, ...options, env: { PEXELS_API_KEY: PEXELS_TEST_KEY } })
    }
    const run = (...argv: string[]) => main(['--data-dir', dataDir, ...argv], io)
    expect(await run('settings', '--providers', JSON.stringify({ stock: { kind: 'pexels', baseURL: fake.baseURL, apiKeyEnv: 'PEXELS_API_KEY' } }))).toBe(0)
    expect(await run('project', 'create', 'Sea film')).toBe(0)
    out = ''
    expect(await run('--json', 'project', 'add-stock', 'sea-film', '--query', 'ocean waves & rocks', '--video', '--count', '2')).toBe(0)
    expect(err).toBe('')
    const result = JSON.parse(out) as { query: string; assets: AssetView[] }
    expect(result.query).toBe('ocean waves & rocks')
    // The query reaches Pexels whole: "&" is encoded, not taken as a second parameter.
    expect(fake.requests('GET /videos/search').at(-1)!.query.get('query')).toBe('ocean waves & rocks')
    expect(result.assets.map((a) => [a.kind, a.credit?.author])).toEqual([
      ['video', 'Bo Chen'],
      ['video', 'Bo Chen']
    ])
    out = ''
    expect(await run('project', 'media', 'sea-film')).toBe(0)
    expect(out).toMatch(/pexels-1000\.mp4 {2}© Bo Chen, Pexels License \(https:\/\/www\.pexels\.com\/video\/waves-1000\/\)/)
  })
})
