import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Real file systems that fail as disks do: a tmpfs mounted read-only, or a tiny one that fills
 * up. Root ignores file permissions (chmod 0500 does not stop it), so only a mount gives a real
 * EROFS or ENOSPC. Needs root (or CAP_SYS_ADMIN): tests check `canMount()` and skip otherwise.
 */
let probed: boolean | undefined
export function canMount(): boolean {
  if (probed !== undefined) return probed
  const dir = mkdtempSync(join(tmpdir(), 'studio-mount-probe-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' })
    execFileSync('umount', [dir], { stdio: 'ignore' })
    probed = true
  } catch {
    probed = false
  } finally {
    rmdirSync(dir)
  }
  return probed
}

/** Mount a tmpfs of `sizeKb` at `dir` (created if missing), read-only when asked. */
export function mountTmpfs(dir: string, o: { sizeKb: number; readOnly?: boolean }): void {
  mkdirSync(dir, { recursive: true })
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${o.sizeKb}k,mode=0755${o.readOnly ? ',ro' : ''}`, 'tmpfs', dir], { stdio: 'pipe' })
}

export function remount(dir: string, readOnly: boolean): void {
  execFileSync('mount', ['-o', `remount,${readOnly ? 'ro' : 'rw'}`, dir], { stdio: 'pipe' })
}

/** Unmount, lazily (a process may still hold a file there); ignores a folder not mounted. */
export function unmount(dir: string): void {
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' })
  } catch {
    // not mounted
  }
}
