#!/usr/bin/env node
// Build only the renderer (out/renderer), from the renderer section of electron.vite.config.ts.
// `studio serve` and the e2e tests need nothing else; `npm run build` builds all three bundles.
//
//   node scripts/build-renderer.mjs            build
//   node scripts/build-renderer.mjs --if-stale build only when a source is newer than the output
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const output = join(root, 'out/renderer/index.html')

function newest(dir) {
  let t = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return t
}

export function rendererIsStale() {
  if (!existsSync(output)) return true
  const built = statSync(output).mtimeMs
  const sources = Math.max(newest(join(root, 'src/renderer')), newest(join(root, 'src/shared')), statSync(join(root, 'electron.vite.config.ts')).mtimeMs)
  return sources > built
}

/** `quiet`: warnings only (to stderr); vite's progress lines go to stdout, which may be data (studio serve --json). */
export async function buildRenderer({ quiet = false } = {}) {
  process.env.STUDIO_RENDERER_ONLY = '1'
  const { build } = await import('electron-vite')
  await build({ root, configFile: join(root, 'electron.vite.config.ts'), logLevel: quiet || process.env.CI ? 'warn' : 'info' })
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--if-stale') && !rendererIsStale()) {
    console.log('renderer is up to date')
  } else {
    await buildRenderer()
  }
}
