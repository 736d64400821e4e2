/**
 * The files `studio farm push` carries from the local data folder to the shared one: a job's
 * folder of artifacts (jobs/<id>), a project's media, a batch's staged sheet. Each is copied under
 * a temporary name beside its place and renamed into it, so a worker never finds half a file
 * under a name the farm knows; what a failed push copied is removed again.
 */
import { randomBytes } from 'node:crypto'
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'

/** Whether `file` lies inside `dir` (or is it). */
export function isInside(dir: string, file: string): boolean {
  const rel = relative(resolve(dir), resolve(file))
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel))
}

/** The two folders are one (the local studio already lives in the shared folder): nothing to copy. */
export function sameFolder(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b)
  } catch {
    return resolve(a) === resolve(b)
  }
}

export class FileCopies {
  /** What this push put in place, removed again by undo(). */
  private readonly placed: string[] = []
  files = 0
  bytes = 0

  /**
   * Copy `from` (a file or a folder) to `to`, replacing what an earlier push that never committed
   * left there. A missing source is no error (a job whose steps wrote nothing): false.
   */
  copy(from: string, to: string): boolean {
    if (!existsSync(from)) return false
    const temp = `${to}.push-${randomBytes(4).toString('hex')}`
    mkdirSync(dirname(to), { recursive: true })
    cpSync(from, temp, { recursive: true, preserveTimestamps: true, errorOnExist: false, force: true })
    shareable(temp)
    rmSync(to, { recursive: true, force: true })
    renameSync(temp, to)
    this.placed.push(to)
    this.count(to)
    return true
  }

  private count(path: string): void {
    const s = statSync(path)
    if (!s.isDirectory()) {
      this.files++
      this.bytes += s.size
      return
    }
    for (const entry of walk(path)) {
      this.files++
      this.bytes += statSync(entry).size
    }
  }

  /** Remove what this push copied (its farm transaction did not commit). */
  undo(): void {
    for (const p of this.placed.splice(0)) rmSync(p, { recursive: true, force: true })
  }
}

/**
 * A local data folder is private to its user (0700 folders, 0600 files); on the share, the
 * workers may run as other users: the copies take the modes a new file gets here (the umask), as
 * the files a worker writes there do.
 */
function shareable(path: string): void {
  const mask = process.umask()
  const chmod = (p: string, dir: boolean) => chmodSync(p, (dir ? 0o777 : 0o666) & ~mask)
  if (!statSync(path).isDirectory()) return chmod(path, false)
  chmod(path, true)
  for (const e of readdirSync(path, { withFileTypes: true, recursive: true })) chmod(join(e.parentPath, e.name), e.isDirectory())
}

function* walk(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) yield join(e.parentPath, e.name)
  }
}
