import { build } from 'esbuild'
import { basename, join, resolve } from 'node:path'

/**
 * A child script bundled into one file, inside the checkout (so that its packages, fonts and
 * templates are found from there as from the sources). Starting it is about three times faster
 * than through tsx, which matters when a test starts an engine process thirty times.
 * Each test process gets its own file: test files running side by side never share one.
 */
export async function bundleChild(entry: string): Promise<string> {
  const outfile = resolve('test-artifacts', 'children', `${basename(entry, '.ts')}-${process.pid}.mjs`)
  await build({
    entryPoints: [resolve(entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning'
  })
  return outfile
}

export const childEntry = (name: string) => join('tests', 'helpers', name)
