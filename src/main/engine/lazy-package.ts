import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/**
 * A package loaded when first used rather than when this module is: the SDKs, image and
 * spreadsheet libraries take from tens of milliseconds to seconds to load, and a command such as
 * `studio list` opens the studio without needing any of them. Only CommonJS packages (require).
 */
export function lazyPackage<T>(name: string): () => T {
  let loaded: T | undefined
  return () => (loaded ??= require(name) as T)
}
