import { open } from 'node:fs/promises'

/*
 * A step's artifacts must survive a power cut before the checkpoint that points at them
 * commits: each file's data, then its folder's entries (the renames that published them).
 * Without this a durable checkpoint could outlive the file it names, and a resumed job would
 * build on an empty one.
 */

/** Flush one file's data to the disk. */
export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+')
  try {
    await handle.datasync()
  } finally {
    await handle.close()
  }
}

/**
 * Flush a folder's entries. Windows cannot open a folder for syncing (NTFS journals the rename
 * itself), and some file systems refuse it: that part is then skipped, the files' data is not.
 */
export async function syncFolder(path: string): Promise<void> {
  let dir
  try {
    dir = await open(path, 'r')
    await dir.sync()
  } catch {
    // See above.
  } finally {
    await dir?.close()
  }
}

/**
 * Does losing this checkpoint in a power cut cost anything? Files (they took time to make, and
 * the checkpoint must never outlive them), money, or a provider's work: then it is fsynced. A
 * free step without files commits crash-safe only; a power cut at worst runs it once more.
 */
export function worthSyncing(files: Record<string, string>, costUsd: number, provider: string | null): boolean {
  return Object.keys(files).length > 0 || costUsd > 0 || provider !== null
}
