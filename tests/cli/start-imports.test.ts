/**
 * What starting `studio` costs: the built CLI compiles nothing at run time (no tsx, no
 * TypeScript, no esbuild), and `studio list` opens the studio without loading the SDKs, image,
 * video or spreadsheet libraries (they took seconds). Which packages the process imported is
 * recorded by a module hook (tests/helpers/import-log.mjs); no time is measured here (see
 * bench/cli/run.ts for that).
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/engine'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** The packages (names under node_modules) a `studio` command imported, each once, sorted. */
function packagesImported(dataDir: string, ...args: string[]): string[] {
  const log = join(tempDir(), 'imports.log')
  execFileSync(process.execPath, ['--import', join(ROOT, 'tests/helpers/import-log.mjs'), join(ROOT, 'bin/studio.mjs'), '--data-dir', dataDir, ...args], {
    env: { ...process.env, STUDIO_IMPORT_LOG: log },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  let text = ''
  try {
    text = readFileSync(log, 'utf8')
  } catch {
    // No package at all was imported.
  }
  const names = text
    .split('\n')
    .filter(Boolean)
    .map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? url)
  return [...new Set(names)].sort()
}

describe('studio start-up', () => {
  it('list imports only SQLite on a studio with jobs', () => {
    const dir = tempDir()
    for (const prompt of ['one', 'two']) {
      execFileSync(process.execPath, [join(ROOT, 'bin/studio.mjs'), '--data-dir', dir, 'add', 'text', '--input', JSON.stringify({ prompt })], { stdio: 'ignore' })
    }
    expect(packagesImported(dir, 'list')).toEqual(['better-sqlite3'])
  }, 60_000)

  it('no command loads a TypeScript compiler', () => {
    const loaded = packagesImported(tempDir(), 'pipelines')
    expect(loaded.filter((name) => ['tsx', 'typescript', 'esbuild'].includes(name))).toEqual([])
  }, 60_000)
})
