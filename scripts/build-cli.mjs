#!/usr/bin/env node
// Build the `studio` CLI (out/cli) from src/: plain JavaScript, so the command starts without a
// TypeScript compiler. Run by `npm run build:cli`, by `prepare` (npm ci) and by `npm run build`.
//
//   node scripts/build-cli.mjs            build
//   node scripts/build-cli.mjs --if-stale build only when a source is newer than the output
//
// Our sources are bundled; packages stay external (native ones such as better-sqlite3 and sharp
// must, and the rest load from node_modules as they would from the sources), but for zod (see
// BUNDLED_PACKAGES). Code
// splitting keeps each `import()` a chunk of its own, so a command loads only what it uses.
// Each src/main/host/*-entry.ts (a worker or child process entry) is emitted as out/cli/<name>.js.
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outDir = join(root, 'out/cli')
export const CLI_ENTRY = join(outDir, 'main.js')

function newest(dir) {
  if (!existsSync(dir)) return 0
  let t = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return t
}

/** True when out/cli is missing or older than a file under src/ (or this script, or package.json). */
export function cliIsStale() {
  if (!existsSync(CLI_ENTRY)) return true
  const built = statSync(CLI_ENTRY).mtimeMs
  const inputs = [fileURLToPath(import.meta.url), join(root, 'package.json')].map((f) => statSync(f).mtimeMs)
  return Math.max(newest(join(root, 'src')), ...inputs) > built
}

/**
 * Packages left to node_modules: all but zod. zod is plain JavaScript of some 230 small ES
 * modules, which Node resolves and reads one by one at every start (a third of `studio list`'s
 * time); bundled, it is one read. Nothing else in the CLI's process imports zod, so its schemas
 * and errors stay one copy.
 */
const BUNDLED_PACKAGES = new Set(['zod'])

function externalPackages() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const names = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.devDependencies }).filter((n) => !BUNDLED_PACKAGES.has(n))
  return names.flatMap((n) => [n, `${n}/*`])
}

function entryPoints() {
  const entries = { main: join(root, 'src/cli/main.ts') }
  const hostDir = join(root, 'src/main/host')
  if (existsSync(hostDir)) {
    for (const name of readdirSync(hostDir)) {
      if (name.endsWith('-entry.ts')) entries[name.slice(0, -'.ts'.length)] = join(hostDir, name)
    }
  }
  return entries
}

export async function buildCli({ quiet = false } = {}) {
  const { build } = await import('esbuild')
  // A clean folder (chunks carry hashes, and old ones would pile up), swapped in whole so that a
  // studio started meanwhile finds the old build or the new one, never half of each.
  const staging = `${outDir}.building-${process.pid}`
  rmSync(staging, { recursive: true, force: true })
  try {
    await build({
      absWorkingDir: root,
      entryPoints: entryPoints(),
      outdir: staging,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: externalPackages(),
      chunkNames: 'chunks/[name]-[hash]',
      sourcemap: 'linked',
      // .js files are ESM here: package.json says "type": "module".
      logLevel: quiet ? 'warning' : 'info'
    })
    const old = `${outDir}.old-${process.pid}`
    if (existsSync(outDir)) renameSync(outDir, old)
    try {
      renameSync(staging, outDir)
    } catch (err) {
      // Another build (a test run's setup beside npm run build) put its own in place meanwhile:
      // built from the same sources, it serves as well as ours.
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err
    }
    rmSync(old, { recursive: true, force: true })
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--if-stale') && !cliIsStale()) {
    console.log('cli is up to date')
  } else {
    await buildCli()
  }
}
