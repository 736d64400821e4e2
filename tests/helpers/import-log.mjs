// `node --import ./tests/helpers/import-log.mjs …`: appends every package module the process
// imports (its resolved URL) to the file named by $STUDIO_IMPORT_LOG. Tests use it to see what a
// command loads; it changes nothing else.
import { register } from 'node:module'

if (process.env.STUDIO_IMPORT_LOG) {
  register('./import-log-hooks.mjs', import.meta.url, { data: { file: process.env.STUDIO_IMPORT_LOG } })
}
