/**
 * The renderer is web content: it may import itself, the shared contract (src/shared) and a short
 * list of browser packages — nothing from main, preload or Node, and no electron. The bridge is
 * the other way round: pure Node, never electron. Fails the run when either is broken.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from './helpers'

const BROWSER_PACKAGES = /^(react|react-dom|react-dom\/client|react\/jsx-runtime|zustand|zustand\/.+|@tanstack\/react-virtual)$/

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx|css)$/.test(name) ? [p] : []
  })
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)].map(
    (m) => (m[1] ?? m[2] ?? m[3])!
  )
}

describe('renderer and bridge boundaries', () => {
  it('the renderer imports only itself, src/shared and browser packages', () => {
    const rendererDir = join(ROOT, 'src/renderer')
    const shared = join(ROOT, 'src/shared')
    const offenders: string[] = []
    const all = files(rendererDir)
    expect(all.length).toBeGreaterThan(20)
    for (const f of all) {
      for (const spec of imports(f)) {
        if (spec.startsWith('.')) {
          const target = resolve(dirname(f), spec)
          if (!target.startsWith(rendererDir + '/') && !target.startsWith(shared + '/')) offenders.push(`${relative(ROOT, f)} → ${spec}`)
        } else if (!BROWSER_PACKAGES.test(spec)) {
          offenders.push(`${relative(ROOT, f)} → ${spec}`)
        }
      }
    }
    expect(offenders).toEqual([])
  })

  it('the browser bridge and `studio serve` never import electron', () => {
    const offenders = [...files(join(ROOT, 'src/main/bridge')), join(ROOT, 'src/cli/serve.ts')].flatMap((f) =>
      imports(f)
        .filter((s) => s === 'electron' || s.startsWith('electron/') || s.includes('/desktop/'))
        .map((s) => `${relative(ROOT, f)} → ${s}`)
    )
    expect(offenders).toEqual([])
  })

  it('the check sees imports (guards against a scan that finds nothing)', () => {
    expect(imports(join(ROOT, 'src/renderer/src/main.tsx'))).toContain('react-dom/client')
    expect(imports(join(ROOT, 'src/main/bridge/server.ts'))).toContain('ws')
  })
})
