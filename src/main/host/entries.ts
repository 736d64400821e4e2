/**
 * Where an engine entry is, from this module's own URL: built, this code sits in one folder with
 * the emitted `<name>-entry.js` (out/main, out/cli); run from source with tsx, it sits beside
 * `<name>-entry.ts` and the child needs tsx's loader.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export interface HostEntry {
  path: string
  /** Node flags the child needs to run it. */
  execArgv: string[]
}

export function hostEntry(name: 'serve' | 'utility', base: string | URL = import.meta.url): HostEntry {
  // A bundler may put this code in a shared chunk one folder down (chunks/): look up there too.
  for (const candidate of [`./${name}-entry.js`, `../${name}-entry.js`]) {
    const js = fileURLToPath(new URL(candidate, base))
    if (existsSync(js)) return { path: js, execArgv: [] }
  }
  const ts = fileURLToPath(new URL(`./${name}-entry.ts`, base))
  if (existsSync(ts)) return { path: ts, execArgv: ['--import', 'tsx'] }
  throw new Error(`the engine entry ${name}-entry was not found beside ${fileURLToPath(new URL('.', base))} (run the build)`)
}
