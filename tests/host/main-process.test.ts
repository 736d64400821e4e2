/**
 * The Electron main process only relays: starting from its entry, the code it loads (value
 * imports, followed transitively) never reaches the engine or SQLite — those load in the
 * utility process (src/main/host/utility-entry.ts). Type-only imports are erased and do not count.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(__dirname, '../..')

function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
  const specs: string[] = []
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/gm)) {
    if (m[2]) continue // import type / export type
    // import { type A, type B } from: only types
    const names = m[3] ?? ''
    if (/^\{[^}]*\}$/.test(names.trim()) && names.replace(/[{}\s]/g, '').split(',').filter(Boolean).every((n) => n.startsWith('type'))) continue
    specs.push(m[4]!)
  }
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) specs.push(m[1]!)
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]!)
  return specs
}

function resolveLocal(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null
  const base = resolve(dirname(from), spec)
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) if (existsSync(candidate) && candidate.endsWith('.ts')) return candidate
  return null
}

function loadedBy(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>()
  const packages = new Set<string>()
  const visit = (file: string) => {
    if (files.has(file)) return
    files.add(file)
    for (const spec of valueImports(file)) {
      const local = resolveLocal(file, spec)
      if (local) visit(local)
      else if (!spec.startsWith('.')) packages.add(spec)
    }
  }
  visit(entry)
  return { files, packages }
}

describe('process layout', () => {
  it('the main process loads no engine code and no SQLite; the utility entry does', () => {
    const main = loadedBy(join(ROOT, 'src/main/index.ts'))
    const engineFiles = [...main.files].map((f) => relative(ROOT, f).split('\\').join('/')).filter((f) => f.startsWith('src/main/engine/'))
    // Its errors are shared vocabulary (a refused command is a QueueError on both sides).
    expect(engineFiles.filter((f) => f !== 'src/main/engine/errors.ts')).toEqual([])
    expect([...main.packages].filter((p) => p === 'better-sqlite3' || p === 'sharp' || p === 'fluent-ffmpeg')).toEqual([])

    const utility = loadedBy(join(ROOT, 'src/main/host/utility-entry.ts'))
    expect([...utility.files].some((f) => f.endsWith('src/main/engine/studio.ts'))).toBe(true)
    expect([...utility.packages]).not.toContain('electron')
  })
})
