import { accessSync, constants, existsSync } from 'node:fs'
import { dirname } from 'node:path'
import { makePrivateDir } from '../store/private-files'

/**
 * Make a step's work folder, or say plainly why it cannot be made. A recursive mkdir on a
 * read-only file system reports ENOENT for the folder it was asked for ("no such file or
 * directory"), which sends a person looking for a missing folder instead of a read-only disk:
 * the nearest existing folder is checked, and the error names it and the real cause.
 */
export function makeWorkDir(path: string): void {
  try {
    makePrivateDir(path)
  } catch (err) {
    throw explained(path, err as NodeJS.ErrnoException)
  }
}

function explained(path: string, err: NodeJS.ErrnoException): Error {
  let existing = dirname(path)
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing)
  let code = err.code
  try {
    accessSync(existing, constants.W_OK)
  } catch (access) {
    code = (access as NodeJS.ErrnoException).code ?? code
  }
  const why =
    code === 'EROFS'
      ? `${existing} is on a read-only file system (EROFS)`
      : code === 'EACCES' || code === 'EPERM'
        ? `${existing} is not writable (${code})`
        : code === 'ENOSPC'
          ? `the disk holding ${existing} is full (ENOSPC)`
          : err.message
  const error = new Error(`cannot create the step's folder ${path}: ${why}`, { cause: err }) as NodeJS.ErrnoException
  if (code) error.code = code
  return error
}
