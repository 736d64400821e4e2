import { realpath, stat } from 'node:fs/promises'
import { isAbsolute, join, resolve, sep } from 'node:path'

export type PathRefusal = { status: 400 | 403 | 404; message: string }
export interface ResolvedPath {
  /** The real path (symlinks resolved). */
  path: string
  size: number
  mtimeMs: number
  isDirectory: boolean
}

/**
 * Resolve a path the renderer sent to a real file (or folder) inside one of `roots`.
 * - not absolute, empty, NUL → 400
 * - not even nominally inside a root → 403 before the file system is touched (no existence oracle)
 * - `..` or a symlink that lands outside → 403 (checked on the real path)
 * - missing → 404
 */
export async function resolveInsideRoots(
  roots: readonly string[],
  requested: string,
  options: { directories?: boolean } = {}
): Promise<ResolvedPath | PathRefusal> {
  if (!requested || requested.includes('\0') || !isAbsolute(requested)) return { status: 400, message: 'path must be an absolute path' }
  const outside: PathRefusal = { status: 403, message: 'only files inside the studio data folder are allowed' }
  const wanted = resolve(requested)
  const realRoots: string[] = []
  let nominal = false
  for (const root of roots) {
    const real = await realpath(root).catch(() => null)
    if (isInside(root, wanted) || (real !== null && isInside(real, wanted))) nominal = true
    if (real !== null) realRoots.push(real)
  }
  if (!nominal) return outside
  let real: string
  try {
    real = await realpath(wanted)
  } catch {
    return { status: 404, message: 'no such file' }
  }
  if (!realRoots.some((root) => isInside(root, real))) return outside
  const info = await stat(real).catch(() => null)
  if (!info) return { status: 404, message: 'no such file' }
  if (info.isFile() || (options.directories && info.isDirectory())) {
    return { path: real, size: info.size, mtimeMs: info.mtimeMs, isDirectory: info.isDirectory() }
  }
  return { status: 404, message: 'no such file' }
}

/** Strictly inside `root` (the root itself is not "inside"). */
export function isInside(root: string, path: string): boolean {
  const base = resolve(root)
  const fold = (p: string) => (process.platform === 'win32' || process.platform === 'darwin' ? p.toLowerCase() : p)
  return fold(resolve(path)).startsWith(fold(base.endsWith(sep) ? base : base + sep))
}

/** The folders of the data folder that hold media a user may preview: job artifacts and project assets. */
export function mediaRoots(dataDir: string): string[] {
  return [join(dataDir, 'jobs'), join(dataDir, 'projects')]
}
