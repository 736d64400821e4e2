/**
 * The data folder a farm shares (artifacts, project media): every machine mounts it (NFS, SMB) and
 * the queue stores paths relative to it. A worker that cannot see or write it would fail every step
 * it claims, one at a time, after paying for the provider calls before the write; so it proves the
 * folder works before it starts, and refuses to start saying why.
 *
 * The proof is what a step does with its results: write a file under a temporary name, rename it
 * into place (providers/atomic-write.ts), read it back, remove it.
 */
import { randomBytes } from 'node:crypto'
import { readFile, rm, stat } from 'node:fs/promises'
import { hostname } from 'node:os'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import { writeFileAtomic } from '../providers/atomic-write'

export type SharedMediaProblem = 'not-absolute' | 'missing' | 'not-a-folder' | 'not-readable' | 'read-only' | 'full' | 'not-writable' | 'mismatch'

export type SharedMediaCheck = { ok: true; dir: string } | { ok: false; dir: string; problem: SharedMediaProblem; reason: string }

const CODE_PROBLEM: Record<string, SharedMediaProblem> = {
  EROFS: 'read-only',
  EACCES: 'not-writable',
  EPERM: 'not-writable',
  ENOSPC: 'full',
  EDQUOT: 'full'
}

function refuse(dir: string, problem: SharedMediaProblem, detail: string): SharedMediaCheck {
  return { ok: false, dir, problem, reason: `the shared data folder ${dir} ${detail}` }
}

/** Whether this machine can see and write the shared data folder `dir`; when not, a reason a person can act on. */
export async function checkSharedMedia(dir: string): Promise<SharedMediaCheck> {
  if (typeof dir !== 'string' || dir.trim() === '') {
    return { ok: false, dir: String(dir ?? ''), problem: 'not-absolute', reason: 'dataDir: the shared data folder is required' }
  }
  // Relative to what? Each machine would resolve it against its own working folder.
  if (!isAbsolute(dir)) return refuse(dir, 'not-absolute', 'is not an absolute path (dataDir)')
  try {
    const s = await stat(dir)
    if (!s.isDirectory()) return refuse(dir, 'not-a-folder', 'is a file, not a folder')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return refuse(dir, 'missing', 'does not exist on this machine (is the share mounted?)')
    if (code === 'ENOTDIR') return refuse(dir, 'not-a-folder', 'is not a folder (a part of its path is a file)')
    return refuse(dir, 'not-readable', `cannot be read here (${code ?? (err as Error).message})`)
  }
  const name = join(dir, `.studio-farm-check-${hostname().replace(/[^\w.-]/g, '_')}-${process.pid}-${randomBytes(4).toString('hex')}`)
  const content = `studio farm check ${randomBytes(16).toString('hex')}\n`
  try {
    await writeFileAtomic(name, content)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? ''
    const problem = CODE_PROBLEM[code] ?? 'not-writable'
    const detail =
      problem === 'read-only' ? 'is mounted read-only here'
        : problem === 'full' ? 'is full (or over quota)'
          : `cannot be written here (${code || (err as Error).message})`
    return refuse(dir, problem, detail)
  }
  try {
    const back = await readFile(name, 'utf8').catch((err: NodeJS.ErrnoException) => err)
    if (back instanceof Error) return refuse(dir, 'not-readable', `lets this machine write but not read back (${back.code ?? back.message})`)
    if (back !== content) return refuse(dir, 'mismatch', 'gave back something else than was written (a cache or a sync that is not a shared mount?)')
    return { ok: true, dir }
  } finally {
    await rm(name, { force: true }).catch(() => undefined)
  }
}

/**
 * `file` as stored in the farm: relative to the data folder, with forward slashes whatever the
 * machine. Throws for a file outside the folder: it would not exist on the other machines.
 */
export function toDataRelative(dataDir: string, file: string): string {
  const rel = relative(resolve(dataDir), resolve(dataDir, file))
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new Error(`path: ${file} is not inside the shared data folder ${dataDir}`)
  }
  return rel.split(sep).join('/')
}

/** A stored relative path, on this machine (refuses absolute or escaping paths rather than following them). */
export function fromDataRelative(dataDir: string, stored: string): string {
  if (typeof stored !== 'string' || stored === '' || stored.startsWith('/') || stored.startsWith('\\') || /^[A-Za-z]:/.test(stored) || /(^|[/\\])\.\.([/\\]|$)/.test(stored)) {
    throw new Error(`path: ${JSON.stringify(stored)} is not a path relative to the data folder`)
  }
  return join(dataDir, ...stored.split(/[/\\]/))
}
