/**
 * No two modules under src/ import each other, directly or through others. A cycle makes the
 * load order decide which module sees the other half-initialised, and it is where layers start
 * leaking into each other. Type-only imports count too: they are how such a knot begins.
 * The graph is built here from the TypeScript sources (TypeScript's own import scanner, no
 * bundler), resolving relative specifiers the way the build does.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const SOURCE = /\.(ts|tsx|mts|cts)$/

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return SOURCE.test(name) && !name.endsWith('.d.ts') ? [path] : []
  })
}

/** The file a relative specifier names, as the bundler finds it (null: not a source file, e.g. CSS). */
function resolveImport(from: string, specifier: string): string | null {
  const base = resolve(dirname(from), specifier.replace(/\.(m|c)?js$/, ''))
  const candidates = [base, ...['.ts', '.tsx', '.mts', '.cts'].map((e) => base + e), join(base, 'index.ts'), join(base, 'index.tsx')]
  const found = candidates.find((c) => SOURCE.test(c) && existsSync(c) && statSync(c).isFile())
  return found ? relative(process.cwd(), found) : null
}

type ImportGraph = Map<string, string[]>

/** Every file's relative imports (static, `export … from`, dynamic `import()`, type-only). */
function importGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map()
  for (const file of sourceFiles(root)) {
    const scanned = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
    const targets = scanned.importedFiles
      .map((i) => i.fileName)
      .filter((s) => s.startsWith('.'))
      .map((s) => resolveImport(file, s))
      .filter((t): t is string => t !== null)
    graph.set(file, [...new Set(targets)])
  }
  return graph
}

/** The import cycles of a graph: its strongly connected components of more than one file (Tarjan), or a file importing itself. */
function cyclesIn(graph: ImportGraph): string[][] {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  const visit = (v: string) => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) !== index.get(v)) return
    const component: string[] = []
    let w: string
    do {
      w = stack.pop()!
      onStack.delete(w)
      component.push(w)
    } while (w !== v)
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort())
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return cycles
}

describe('import cycles', () => {
  it('no module under src/ imports itself back through others', () => {
    expect(cyclesIn(importGraph('src'))).toEqual([])
  })

  it('the check sees cycles and imports (guards against a scan that finds nothing)', () => {
    const graph = importGraph('src')
    expect(graph.size).toBeGreaterThan(100)
    // A type-only import, a re-export and a directory's index are all edges.
    expect(graph.get('src/main/engine/providers/types.ts')).toContain('src/main/engine/providers/text-style.ts')
    expect(graph.get('src/main/api/handlers.ts')).toContain('src/main/api/dispatch.ts')
    const knot: ImportGraph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']]
    ])
    expect(cyclesIn(knot)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['e.ts']])
  })
})
