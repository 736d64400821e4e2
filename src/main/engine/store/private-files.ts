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
  if (POSIX) chmodSync(dir, PRIVATE_DIR_MODE)
}

/**
 * Before SQLite opens the database: the data folder owner-only, the file created 0600 (SQLite
 * gives its -wal and -shm files the database's mode), and a file an older version left 0644
 * tightened, with its -wal/-shm.
 */
export function preparePrivateDatabase(dataDir: string, file: string): void {
  makePrivateDir(dataDir)
  if (!POSIX) return
  closeSync(openSync(file, constants.O_CREAT | constants.O_RDWR, PRIVATE_FILE_MODE))
  for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    if (existsSync(path)) chmodSync(path, PRIVATE_FILE_MODE)
  }
}
