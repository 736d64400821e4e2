// Module hooks for import-log.mjs (they run on the loader's own thread).
import { appendFileSync } from 'node:fs'

let file

export async function initialize(data) {
  file = data.file
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context)
  if (file && resolved.url.includes('/node_modules/')) appendFileSync(file, resolved.url + '\n')
  return resolved
}
