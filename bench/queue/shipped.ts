/**
 * Our engine as shipped, for the queue benchmarks: the product runs built JavaScript (the CLI runs
 * out/cli, bundled by esbuild in scripts/build-cli.mjs; the desktop app runs electron-vite's
 * build), not the TypeScript sources through tsx, whose transform wraps every named function in a
 * `__name(...)` call (~15 µs more CPU per no-op job here). So the benchmarks bundle ours-child.ts
 * once per run with build-cli's options and start it with plain `node`; `--dev` keeps the sources
 * through tsx, for working on them without a build.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = fileURLToPath(new URL('.', import.meta.url))
const CHILD = join(HERE, 'ours-child.ts')

/** How our engine's benchmark process starts: a built bundle, or the sources through tsx. */
export interface OursProgram {
  /** What a table or a log line says was run. */
  describe: string
  args: string[]
  cleanup(): void
}

/** As scripts/build-cli.mjs: every package external but zod (bundled there too). */
function externalPackages(root: string): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>
  const names = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.devDependencies }).filter((n) => n !== 'zod')
  return names.flatMap((n) => [n, `${n}/*`])
}

/**
 * Bundles this tree's ours-child.ts against `root`'s engine (its relative imports resolve in
 * `root`, so another checkout is measured with the same harness) into a temp folder whose
 * node_modules links to root's, where the external packages resolve as they do from out/cli.
 */
export async function buildOurs(root: string): Promise<OursProgram> {
  const { build } = await import('esbuild')
  const dir = mkdtempSync(join(tmpdir(), 'queue-bench-built-'))
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir')
  const outfile = join(dir, 'ours.mjs')
  await build({
    absWorkingDir: root,
    stdin: { contents: readFileSync(CHILD, 'utf8'), resolveDir: join(root, 'bench/queue'), sourcefile: 'ours-child.ts', loader: 'ts' },
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: externalPackages(root),
    logLevel: 'warning'
  })
  return {
    describe: `built: esbuild bundle as scripts/build-cli.mjs builds out/cli, run by plain node (${outfile})`,
    args: [outfile],
    cleanup: () => rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * The sources of `root` through tsx (development: no build, but tsx's transform costs CPU). A
 * checkout without ours-child.ts (older than it) gets this tree's copy.
 */
export function devOurs(root: string): OursProgram {
  const child = join(root, 'bench/queue/ours-child.ts')
  if (!existsSync(child)) copyFileSync(CHILD, child)
  return {
    describe: `dev: the TypeScript sources through tsx (${root})`,
    args: ['--import', 'tsx', join(root, 'bench/queue/ours-child.ts')],
    cleanup() {}
  }
}

/** Starts our engine's benchmark process and returns its RESULT. */
export function runOursChild(program: OursProgram, cwd: string, args: string[]): Record<string, unknown> & { processMs: number; cpuMs: number } {
  const out: SpawnSyncReturns<string> = spawnSync(process.execPath, [...program.args, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 24 })
  const line = out.stdout.split('\n').find((l) => l.startsWith('RESULT '))
  if (out.status !== 0 || !line) throw new Error(`our engine's child failed (exit ${out.status}, ${program.describe}):\n${out.stderr.slice(-4000)}\n${out.stdout.slice(-2000)}`)
  return JSON.parse(line.slice('RESULT '.length))
}
