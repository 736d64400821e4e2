import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { resolveBinaries } from '../../src/main/engine/render/binaries'
import { openStudio } from '../../src/main/engine/studio'
import { tempDir } from '../helpers/engine'

/**
 * The README's main command, `npx studio demo`, run for real: the bin script in a child
 * process, the offline providers (templates, sharp, the OS speech engine), the real ffmpeg.
 * One video and a draft render keep it to a few seconds; the draft setting is the one a
 * user flips in Settings, so the command itself is exactly the README's.
 */
const exec = promisify(execFile)
const root = join(import.meta.dirname, '..', '..')
const studio = (dataDir: string, ...args: string[]) =>
  exec(process.execPath, [join(root, 'bin', 'studio.mjs'), '--data-dir', dataDir, ...args], {
    cwd: root,
    env: { ...process.env, STUDIO_DATA_DIR: '', OPENAI_API_KEY: '' },
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024
  })

interface Stream {
  codec_type: string
  codec_name: string
  duration?: string
  width?: number
  height?: number
}

describe('studio demo (the README main command)', () => {
  it('renders an MP4 with H.264 video, AAC narration and subtitles beside it, and says which voice spoke', async () => {
    const dataDir = tempDir('studio-demo-')
    const settings = openStudio({ dataDir })
    settings.settings.replace({ ...settings.settings.get(), draft: true })
    await settings.close(0)

    const { stdout } = await studio(dataDir, 'demo', '--count', '1', '--json')
    const results = JSON.parse(stdout) as Array<{ id: string; status: string; error: string | null; files: Record<string, string> }>
    expect(results).toHaveLength(1)
    const [result] = results
    expect(result).toMatchObject({ status: 'completed', error: null })
    const video = result!.files.video!
    expect(video.endsWith('.mp4')).toBe(true)

    const { ffprobe } = await resolveBinaries()
    const probed = JSON.parse((await exec(ffprobe.path, ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', video])).stdout) as {
      streams: Stream[]
      format: { duration: string }
    }
    const v = probed.streams.find((s) => s.codec_type === 'video')
    const a = probed.streams.find((s) => s.codec_type === 'audio')
    expect(v).toMatchObject({ codec_name: 'h264', width: 540, height: 960 })
    expect(a).toMatchObject({ codec_name: 'aac' })

    // The job as `studio show` reports it: the narration's length, and the log naming the voice.
    const job = JSON.parse((await studio(dataDir, 'show', result!.id, '--json')).stdout) as {
      steps: Array<{ name: string; provider: string | null; output: { durationSec?: number } | null }>
      log: Array<{ message: string }>
    }
    const audio = job.steps.find((s) => s.name === 'audio')!
    const narrationSec = audio.output!.durationSec!
    expect(narrationSec).toBeGreaterThan(5) // a spoken script, not a blip
    // The video lasts the narration plus the half-second tail; the audio track runs all of it.
    expect(Math.abs(Number(probed.format.duration) - (narrationSec + 0.5))).toBeLessThan(0.2)
    expect(Math.abs(Number(a!.duration) - Number(probed.format.duration))).toBeLessThan(0.3)
    expect(audio.provider).toMatch(/^(espeak-ng|espeak|say|sapi|mespeak)$/)
    expect(job.log.map((l) => l.message)).toContainEqual(expect.stringMatching(new RegExp(`^narration by ${audio.provider}: `)))

    const srt = video.replace(/\.mp4$/, '.srt')
    expect(result!.files.subtitles).toBe(srt)
    expect(existsSync(srt)).toBe(true)
    expect(readFileSync(srt, 'utf8')).toMatch(/^1\r?\n00:00:0\d,\d{3} --> .+\r?\n\S/)
  })

  it('--draft renders half-size drafts without touching the saved draft setting', async () => {
    const dataDir = tempDir('studio-demo-draft-')
    const { stdout } = await studio(dataDir, 'demo', '--count', '1', '--draft', '--json')
    const [result] = JSON.parse(stdout) as Array<{ status: string; files: Record<string, string> }>
    expect(result).toMatchObject({ status: 'completed' })
    const { ffprobe } = await resolveBinaries()
    const probed = JSON.parse((await exec(ffprobe.path, ['-v', 'error', '-show_streams', '-of', 'json', result!.files.video!])).stdout) as { streams: Stream[] }
    expect(probed.streams.find((s) => s.codec_type === 'video')).toMatchObject({ width: 540, height: 960 })
    const after = openStudio({ dataDir })
    expect(after.settings.get().draft).toBe(false)
    await after.close(0)
  })
})
