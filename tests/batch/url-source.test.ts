import ExcelJS from 'exceljs'
import { afterEach, describe, expect, it } from 'vitest'
import { ANY_ADDRESS, openRowSource, RowSourceError, toCsvDownloadUrl } from '../../src/main/engine/batch/sources'
import { collect } from './helpers/fs'
import { startServer, type TestServer } from './helpers/http-server'

const CSV = 'idea,language\nChats,fr\nDogs,en\n'
const EXPORT_PATH = '/spreadsheets/d/abc123/export?format=csv&gid=0'
/** The test servers listen on 127.0.0.1: allowed explicitly, as the CLI does with --allow-private-urls. */
const FAST = { timeoutMs: 300, retryDelayMs: 20, network: ANY_ADDRESS }

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function rejection(promise: Promise<unknown>): Promise<RowSourceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(RowSourceError)
  return error as RowSourceError
}

describe('CSV over HTTP (stand-in for the Google Sheets export URL)', () => {
  it('downloads and streams the rows', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-length': String(CSV.length) })
      res.end(CSV)
    })
    const source = await openRowSource(`${server.origin}${EXPORT_PATH}`, FAST)
    expect(source.origin).toBe(`${server.origin}${EXPORT_PATH}`)
    expect(await collect(source.rows)).toEqual([
      { rowNumber: 2, values: { idea: 'Chats', language: 'fr' } },
      { rowNumber: 3, values: { idea: 'Dogs', language: 'en' } }
    ])
    expect(source.progress()).toEqual({ bytesRead: CSV.length, totalBytes: CSV.length })
  })

  it('follows redirects (Google answers the export URL with a redirect)', async () => {
    server = await startServer((req, res) => {
      if (req.url?.startsWith('/spreadsheets/')) {
        res.writeHead(307, { location: '/download/file.csv' })
        res.end()
        return
      }
      res.writeHead(200, { 'content-type': 'text/csv' })
      res.end(CSV)
    })
    const source = await openRowSource({ url: `${server.origin}${EXPORT_PATH}` }, FAST)
    expect((await collect(source.rows)).length).toBe(2)
    expect(server.requests).toEqual([EXPORT_PATH, '/download/file.csv'])
  })

  it('gives up within the timeout when the server never answers, naming the URL without secrets', async () => {
    server = await startServer(() => {
      /* never answers */
    })
    const started = Date.now()
    const error = await rejection(
      openRowSource(`${server.origin}/sheet.csv?gid=3&token=s3cr3t`, { timeoutMs: 200, retryDelayMs: 10, attempts: 2, network: ANY_ADDRESS })
    )
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(error.code).toBe('TIMEOUT')
    expect(error.message).toBe(
      `could not download ${server.origin}/sheet.csv?gid=3&token=***: no answer within 200 ms (after 2 attempts)`
    )
    expect(error.message).not.toContain('s3cr3t')
    expect(server.requests).toHaveLength(2)
  })

  it('fails at once on 404 with a clear message (no retry)', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(404)
      res.end('not found')
    })
    const error = await rejection(openRowSource(`${server.origin}${EXPORT_PATH}`, FAST))
    expect(error.code).toBe('NOT_FOUND')
    expect(error.message).toMatch(/was not found \(HTTP 404\): the sheet does not exist or is not shared publicly/)
    expect(server.requests).toHaveLength(1)
  })

  it('fails at once on 403 (not shared)', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(403)
      res.end()
    })
    const error = await rejection(openRowSource(`${server.origin}${EXPORT_PATH}`, FAST))
    expect(error.code).toBe('ACCESS_DENIED')
    expect(error.message).toMatch(/refused \(HTTP 403\)/)
    expect(server.requests).toHaveLength(1)
  })

  it('retries a 500 and succeeds when the server recovers', async () => {
    server = await startServer((_req, res, index) => {
      if (index === 0) {
        res.writeHead(500)
        res.end('boom')
        return
      }
      res.writeHead(200, { 'content-type': 'text/csv' })
      res.end(CSV)
    })
    const source = await openRowSource(`${server.origin}${EXPORT_PATH}`, FAST)
    expect((await collect(source.rows)).map((r) => r.values.idea)).toEqual(['Chats', 'Dogs'])
    expect(server.requests).toHaveLength(2)
  })

  it('reports the last HTTP status after 3 attempts of 503', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(503)
      res.end()
    })
    const error = await rejection(openRowSource(`${server.origin}/data.csv`, FAST))
    expect(error.code).toBe('HTTP_ERROR')
    expect(error.message).toMatch(/could not download http:\/\/127\.0\.0\.1:\d+\/data\.csv: the server answered HTTP 503.*\(after 3 attempts\)/)
    expect(server.requests).toHaveLength(3)
  })

  it('retries when the socket is destroyed before any answer, then says why', async () => {
    server = await startServer((req) => req.socket.destroy())
    const error = await rejection(openRowSource(`${server.origin}/data.csv`, FAST))
    expect(error.code).toBe('NETWORK')
    expect(error.message).toMatch(/could not download http:\/\/127\.0\.0\.1:\d+\/data\.csv: .+\(after 3 attempts\)/)
    expect(server.requests).toHaveLength(3)
  })

  it('reports a connection cut in the middle of the body instead of ending quietly', async () => {
    const header = 'idea\n'
    const body = Array.from({ length: 20_000 }, (_, i) => `row ${i}`).join('\n')
    server = await startServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-length': String(header.length + body.length + 1000) })
      res.write(header + body.slice(0, 60_000), () => setTimeout(() => req.socket.destroy(), 20))
    })
    // A generous idle timeout: on a loaded machine the cut must be what ends the download, not a stall.
    const readAll = async (): Promise<unknown> => collect((await openRowSource(`${server!.origin}/cut.csv`, { ...FAST, timeoutMs: 5_000 })).rows)
    const error = await rejection(readAll())
    expect(error.code).toBe('NETWORK')
    expect(error.message).toMatch(/download of http:\/\/127\.0\.0\.1:\d+\/cut\.csv failed midway/)
  })

  it('times out when the body stalls midway', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' })
      res.write('idea\nfirst\n') // …and nothing more
    })
    const readAll = async (): Promise<unknown> => collect((await openRowSource(`${server!.origin}/stall.csv`, FAST)).rows)
    const error = await rejection(readAll())
    expect(error.code).toBe('TIMEOUT')
    expect(error.message).toMatch(/download of .*stall\.csv stalled: no data for 300 ms/)
  })

  it('recognises the login page Google serves for a private sheet', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end('<!DOCTYPE html><html><head><title>Sign in</title></head><body>…</body></html>')
    })
    const error = await rejection(openRowSource(`${server.origin}${EXPORT_PATH}`, FAST))
    expect(error.code).toBe('NOT_SHARED')
    expect(error.message).toMatch(/returned a web page instead of a spreadsheet: the sheet is probably not shared publicly/)
  })

  it('reads an XLSX served over HTTP (e.g. export?format=xlsx)', async () => {
    const workbook = new ExcelJS.Workbook()
    workbook.addWorksheet('First').addRow(['idea'])
    workbook.getWorksheet('First')!.addRow(['from xlsx'])
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer())
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' })
      res.end(bytes)
    })
    const source = await openRowSource(`${server.origin}/export?format=xlsx`, FAST)
    expect(source.format).toBe('xlsx')
    expect(await collect(source.rows)).toEqual([{ rowNumber: 2, values: { idea: 'from xlsx' } }])
  })

  it('cancels a download waiting on a silent server when the signal fires', async () => {
    server = await startServer(() => undefined)
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('batch cancelled')), 50)
    await expect(openRowSource(`${server.origin}/x.csv`, { signal: controller.signal, timeoutMs: 5_000, network: ANY_ADDRESS })).rejects.toThrow(
      'batch cancelled'
    )
  })
})

describe('Google Sheets links', () => {
  it.each([
    [
      'https://docs.google.com/spreadsheets/d/1AbC-xyz_09/edit#gid=123456',
      'https://docs.google.com/spreadsheets/d/1AbC-xyz_09/export?format=csv&gid=123456'
    ],
    [
      'https://docs.google.com/spreadsheets/d/1AbC-xyz_09/edit?gid=42#gid=42',
      'https://docs.google.com/spreadsheets/d/1AbC-xyz_09/export?format=csv&gid=42'
    ],
    [
      'https://docs.google.com/spreadsheets/d/1AbC-xyz_09/edit?usp=sharing',
      'https://docs.google.com/spreadsheets/d/1AbC-xyz_09/export?format=csv'
    ],
    ['https://docs.google.com/spreadsheets/d/1AbC/', 'https://docs.google.com/spreadsheets/d/1AbC/export?format=csv'],
    [
      'https://docs.google.com/spreadsheets/d/1AbC/export?format=csv&gid=7',
      'https://docs.google.com/spreadsheets/d/1AbC/export?format=csv&gid=7'
    ],
    [
      'https://docs.google.com/spreadsheets/d/1AbC/export?format=xlsx',
      'https://docs.google.com/spreadsheets/d/1AbC/export?format=xlsx'
    ],
    [
      'https://docs.google.com/spreadsheets/d/e/2PACX-1vR/pubhtml?gid=9',
      'https://docs.google.com/spreadsheets/d/e/2PACX-1vR/pub?gid=9&single=true&output=csv'
    ],
    ['https://example.com/data.csv?x=1', 'https://example.com/data.csv?x=1']
  ])('%s → %s', (input, expected) => {
    expect(toCsvDownloadUrl(input)).toBe(expected)
  })

  it('rejects other schemes and bad URLs with a message naming the source', async () => {
    await expect(openRowSource('ftp://example.com/x.csv')).rejects.toThrow(/source: only local files and http\(s\) URLs/)
    await expect(openRowSource({ url: 'https://' })).rejects.toThrow(/source: "https:\/\/" is not a valid URL/)
    await expect(openRowSource('')).rejects.toThrow(/source: must be a file path or an http\(s\) URL/)
  })
})
