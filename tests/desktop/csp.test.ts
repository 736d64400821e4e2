/**
 * The packaged app serves index.html on app://studio/ with the CSP as a header, and the <meta>
 * Content-Security-Policy in the page says the same: it must be exactly as strict as the header
 * main sets for that page — not a looser copy — and the same file is what `studio serve` hands
 * the browser.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { APP_PAGE_URL } from '../../src/main/desktop/app-page'
import { contentSecurityPolicy } from '../../src/main/desktop/security'

vi.mock('electron', async () => (await import('../helpers/electron-double')).electronModule())

const SOURCE = resolve('src/renderer/index.html')
const BUILT = resolve('out/renderer/index.html')
/** Directives a <meta> policy cannot carry (browsers ignore them there, with a warning). */
const HEADER_ONLY = new Set(['frame-ancestors', 'report-uri', 'sandbox'])

type Policy = Record<string, string[]>

function parse(policy: string): Policy {
  const entries = policy
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean)
    .map((d) => d.split(/\s+/))
    .map(([name, ...values]) => [name!.toLowerCase(), values] as const)
  return Object.fromEntries(entries)
}

function metaPolicy(file: string): Policy {
  const html = readFileSync(file, 'utf8')
  const tags = [...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/gi)]
  expect(tags, `${file} has one CSP <meta>`).toHaveLength(1)
  return parse(tags[0]![1]!)
}

const headerPolicy = () =>
  Object.fromEntries(
    Object.entries(parse(contentSecurityPolicy({ kind: 'app', rendererDir: dirname(SOURCE), url: APP_PAGE_URL }))).filter(([name]) => !HEADER_ONLY.has(name))
  )

describe('the renderer page CSP <meta>', () => {
  it('is the header policy of the packaged app, directive for directive', () => {
    expect(metaPolicy(SOURCE)).toEqual(headerPolicy())
  })

  it('denies frames and everything unlisted, runs only its own scripts, and talks to no other local port', () => {
    const policy = metaPolicy(SOURCE)
    expect(policy['default-src']).toEqual(["'none'"])
    expect(policy['script-src']).toEqual(["'self'"])
    expect(policy['frame-src']).toEqual(["'none'"])
    expect(policy['child-src']).toEqual(["'none'"])
    expect(policy['object-src']).toEqual(["'none'"])
    expect(policy['base-uri']).toEqual(["'none'"])
    expect(policy['form-action']).toEqual(["'none'"])
    // The `studio serve` WebSocket is the page's own host and port: 'self' covers it.
    expect(policy['connect-src']).toEqual(["'self'", 'studio-file:'])
    expect(Object.values(policy).flat().some((v) => /^wss?:|\*/.test(v))).toBe(false)
  })

  it('survives the build unchanged (when out/renderer is built from the current source)', (context) => {
    if (!existsSync(BUILT) || statSync(BUILT).mtimeMs < statSync(SOURCE).mtimeMs) {
      context.skip('out/renderer/index.html is missing or older than the source: run npx electron-vite build')
    }
    expect(metaPolicy(BUILT)).toEqual(metaPolicy(SOURCE))
  })
})
