import { readdirSync, readFileSync } from 'node:fs'

/**
 * Live processes whose command line contains `text` (a step's work folder, a data folder), read
 * from /proc: how a test finds the ffmpeg a render started, or the tools a killed engine left.
 */
export function pidsMentioning(text: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const pid = Number(entry)
    if (pid === process.pid) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      if (cmdline.includes(text)) pids.push(pid)
    } catch {
      // gone meanwhile
    }
  }
  return pids
}

/** The executable's name of a pid (`ffmpeg`, `node`), or null when it is gone. */
export function processName(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
  } catch {
    return null
  }
}

/** SIGKILL each of these pids (the test's own children and their tools), ignoring those already gone. */
export function killPids(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
}
