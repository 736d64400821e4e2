import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { resolveBinaries } from '../../src/main/engine/render/binaries'

/**
 * The real ffmpeg and ffprobe behind two small scripts that write each call's arguments to a log:
 * a test counts what the engine really ran. Point the studio's `ffmpegPath` setting at `ffmpeg`.
 */
export async function countingFfmpeg(dir: string): Promise<{ ffmpeg: string; calls(): string[][]; reset(): void }> {
  const real = await resolveBinaries()
  const log = join(dir, 'ffmpeg-calls.log')
  writeFileSync(log, '')
  for (const [name, target] of [
    ['ffmpeg', real.ffmpeg.path],
    ['ffprobe', real.ffprobe.path]
  ] as const) {
    const script = join(dir, name)
    // One line per call, arguments separated by a unit separator (paths may hold spaces).
    writeFileSync(script, `#!/bin/sh\nprintf '%s\\037' "${name}" "$@" >> '${log}'\nprintf '\\n' >> '${log}'\nexec '${target}' "$@"\n`)
    chmodSync(script, 0o755)
  }
  return {
    ffmpeg: join(dir, 'ffmpeg'),
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => line.split('\x1f').filter((a, i, all) => i < all.length - 1 || a !== ''))
        : [],
    reset: () => writeFileSync(log, '')
  }
}
