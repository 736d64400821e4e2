import { execFileSync } from 'node:child_process'

/**
 * Tools left running by an engine that was killed (kill -9, a crash, a power button): ffmpeg or a
 * speech engine runs in its own process group (see OWN_PROCESS_GROUP), so it outlives the engine
 * and goes on rendering a step whose result nobody will store, for minutes. When the job is taken
 * back, the processes whose command line names the interrupted step's own work folder (unique to
 * that attempt: its name ends in a random suffix) are stopped. Returns how many.
 *
 * Unix only (`ps`); on Windows such a tool dies with the console that started it, or runs out.
 */
export function stopOrphanedTools(workDirs: readonly string[]): number {
  if (workDirs.length === 0 || process.platform === 'win32') return 0
  let listing: string
  try {
    listing = execFileSync('ps', ['-axo', 'pid=,command='], { encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 })
  } catch {
    return 0
  }
  let stopped = 0
  for (const line of listing.split('\n')) {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line)
    if (!match) continue
    const pid = Number(match[1])
    if (pid === process.pid || !workDirs.some((dir) => match[2]!.includes(dir))) continue
    try {
      process.kill(pid, 'SIGKILL')
      stopped++
    } catch {
      // Gone meanwhile, or not ours to stop.
    }
  }
  return stopped
}
