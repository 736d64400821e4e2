import { chmodSync, closeSync, constants, existsSync, mkdirSync, openSync } from 'node:fs'

/**
 * The data folder holds prompts, settings and outputs: only its owner may read it. Modes are set
 * explicitly (chmod after create) so the result does not depend on the process's umask.
 * Windows has no such modes; its per-user profile folders already keep other users out.
 */
export const PRIVATE_DIR_MODE = 0o700
export const PRIVATE_FILE_MODE = 0o600
const POSIX = process.platform !== 'win32'

/** Create `dir` (and missing parents) owner-only; an existing folder is made owner-only too. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  tighten(dir, PRIVATE_DIR_MODE)
}

/**
 * chmod, except where it cannot be done and was not ours to do: a data folder on a read-only
 * disk, or owned by another user (a shared copy opened to read). Opening it must still work.
 */
function tighten(path: string, mode: number): void {
  if (!POSIX) return
  try {
    chmodSync(path, mode)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'EPERM' && code !== 'EROFS' && code !== 'EACCES') throw err
  }
}

/**
 * Before SQLite opens the database: the data folder owner-only, the file created 0600 (SQLite
 * gives its -wal and -shm files the database's mode), and a file an older version left 0644
 * tightened, with its -wal/-shm.
 */
export function preparePrivateDatabase(dataDir: string, file: string): void {
  makePrivateDir(dataDir)
  if (!POSIX) return
  if (!existsSync(file)) closeSync(openSync(file, constants.O_CREAT | constants.O_RDWR, PRIVATE_FILE_MODE))
  for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    if (existsSync(path)) tighten(path, PRIVATE_FILE_MODE)
  }
}
