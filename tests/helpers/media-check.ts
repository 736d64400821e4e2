import { execFile } from 'node:child_process'
import { statSync } from 'node:fs'
import { extname } from 'node:path'
import { promisify } from 'node:util'
import { resolveBinaries } from '../../src/main/engine/render/binaries'

const run = promisify(execFile)
const MEDIA = new Set(['.mp4', '.mov', '.webm', '.m4a', '.mp3', '.wav', '.ogg', '.png', '.jpg', '.jpeg', '.webp'])

/**
 * Why a job's output file is not complete, or null when it is: it exists and is not empty, and
 * when it is media, ffprobe reads it to the end without an error (a render cut short by a kill
 * has no index and fails here).
 */
export async function incompleteOutput(file: string): Promise<string | null> {
  let size: number
  try {
    size = statSync(file).size
  } catch {
    return `${file}: missing`
  }
  if (size === 0) return `${file}: empty`
  if (!MEDIA.has(extname(file).toLowerCase())) return null
  const { ffprobe } = await resolveBinaries()
  try {
    const { stderr } = await run(ffprobe.path, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file])
    if (stderr.trim()) return `${file}: ffprobe: ${stderr.trim().slice(0, 300)}`
  } catch (err) {
    return `${file}: ffprobe failed: ${String((err as { stderr?: string }).stderr ?? err).slice(0, 300)}`
  }
  return null
}
