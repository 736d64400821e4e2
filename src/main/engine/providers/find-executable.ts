/**
 * `which` without a shell: look a program up on PATH (with PATHEXT on Windows). Results are
 * cached per name and PATH because engine detection runs before every synthesis.
 */
import { constants } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import { delimiter as posixDelimiter, join, win32 } from 'node:path'

export interface LookupEnvironment {
  env?: NodeJS.ProcessEnv
  platform?: NodeJS.Platform
}

const cache = new Map<string, Promise<string | undefined>>()

async function isExecutableFile(path: string, platform: NodeJS.Platform): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false
    // Windows has no execute bit: existing with a PATHEXT extension is enough.
    if (platform !== 'win32') await access(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

async function lookup(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Promise<string | undefined> {
  const windows = platform === 'win32'
  const pathValue = env.PATH ?? env.Path ?? ''
  const dirs = pathValue.split(windows ? win32.delimiter : posixDelimiter).filter(Boolean)
  const extensions = windows
    ? (/\.[a-z0-9]+$/i.test(name) ? [''] : ['', ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)])
    : ['']
  for (const dir of dirs) {
    for (const ext of extensions) {
      // Paths are joined the host's way; `platform` only changes the lookup rules (tests simulate Windows).
      const candidate = join(dir, name + ext)
      if (await isExecutableFile(candidate, platform)) return candidate
    }
  }
  return undefined
}

/** Absolute path of `name` on PATH, or undefined. */
export function findExecutable(name: string, options: LookupEnvironment = {}): Promise<string | undefined> {
  const env = options.env ?? process.env
  const platform = options.platform ?? process.platform
  const key = `${platform}\0${env.PATH ?? env.Path ?? ''}\0${name}`
  let found = cache.get(key)
  if (!found) {
    found = lookup(name, env, platform)
    cache.set(key, found)
  }
  return found
}

/** Forget cached lookups (after the user installs an engine, or in tests). */
export function clearExecutableCache(): void {
  cache.clear()
}
