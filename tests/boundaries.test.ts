import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

/** The house rules that keep the engine testable and the renderer safe, enforced on every run. */
function files(dir: string): string[] {
  let out: string[] = []
  let entries: string[] = []
  try {
    entries = readdirSync(dir)
  } catch {
    return out
  }
  for (const name of entries) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out = out.concat(files(path))
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(name)) out.push(path)
  }
  return out
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const found: string[] = []
  for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    found.push((m[1] ?? m[2] ?? m[3])!)
  }
  return found
}

const NODE_BUILTINS = /^(node:|fs$|fs\/|path$|os$|child_process$|crypto$|http$|https$|net$|stream$|url$|util$|worker_threads$|better-sqlite3$|electron$|ws$|fluent-ffmpeg$|sharp$)/

describe('boundaries', () => {
  it('the engine never imports electron', () => {
    const offenders = files('src/main/engine').filter((f) => importsOf(f).some((i) => i === 'electron' || i.startsWith('electron/')))
    expect(offenders).toEqual([])
  })

  it('the renderer imports no Node built-ins, no native modules and no electron', () => {
    const offenders = files('src/renderer').flatMap((f) => importsOf(f).filter((i) => NODE_BUILTINS.test(i)).map((i) => `${f}: ${i}`))
    expect(offenders).toEqual([])
  })

  it('the shared contract imports neither Node nor the engine', () => {
    const offenders = files('src/shared').flatMap((f) =>
      importsOf(f)
        .filter((i) => NODE_BUILTINS.test(i) || i.includes('/main/') || i.includes('/renderer/'))
        .map((i) => `${f}: ${i}`)
    )
    expect(offenders).toEqual([])
  })

  it('the check itself sees imports (guards against a scan that finds nothing)', () => {
    expect(importsOf('src/main/engine/store/database.ts')).toContain('better-sqlite3')
    expect(files('src/main/engine').length).toBeGreaterThan(10)
  })
})
