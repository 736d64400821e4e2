/**
 * Files appear complete or not at all: a crash or a cancel mid-write must never leave a
 * half-written PNG/WAV under the final name, because a resumed pipeline would trust it.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, basename, join } from 'node:path'

/** A sibling temp path (same directory, so the final rename is atomic on one filesystem). Keeps the extension for tools that sniff it. */
export function tempPathFor(finalPath: string): string {
  const name = basename(finalPath)
  const dot = name.lastIndexOf('.')
  const ext = dot > 0 ? name.slice(dot) : ''
  return join(dirname(finalPath), `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp${ext}`)
}

export async function writeFileAtomic(finalPath: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(finalPath), { recursive: true })
  const temp = tempPathFor(finalPath)
  try {
    await writeFile(temp, data, { flush: true, mode: 0o600 })
    await rename(temp, finalPath)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}

/** Let `produce` write a temp file (e.g. an external TTS process), then move it into place; the temp file is removed on failure. */
export async function produceFileAtomic<T>(finalPath: string, produce: (tempPath: string) => Promise<T>): Promise<T> {
  await mkdir(dirname(finalPath), { recursive: true })
  const temp = tempPathFor(finalPath)
  try {
    const result = await produce(temp)
    await rename(temp, finalPath)
    return result
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}
