import { existsSync } from 'node:fs'
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StepError } from '../../src/main/engine/errors'
import { bundledBinaryPath, clearBinaryCache, findOnPath, resolveBinaries } from '../../src/main/engine/render/binaries'
import { detectTools } from '../../src/main/engine/render/doctor'
import { tempDir } from './helpers'

/**
 * Real binaries throughout: the bundled static ffmpeg, the system one, and symlinks to them so
 * each source has a distinct path. The one stand-in is a tiny script answering like an ffmpeg
 * built without libass, because no such build is installed here and the skip rule needs one.
 */
let dir: string
let cleanup: () => Promise<void>
let bundled: string
let system: string
let explicit: string
let fromEnv: string
let noLibass: string
const emptyPath = () => path.join(dir, 'empty-bin')

beforeAll(async () => {
  ;({ dir, cleanup } = await tempDir('studio-binaries-'))
  bundled = bundledBinaryPath('ffmpeg').path!
  system = (await findOnPath('ffmpeg'))!
  expect(bundled).toBeTruthy()
  expect(system).toBeTruthy()
  // A path from the settings must name the tool itself (ffmpeg), so each stand-in gets its own folder.
  explicit = path.join(dir, 'explicit', 'ffmpeg')
  fromEnv = path.join(dir, 'env', 'ffmpeg')
  await mkdir(path.dirname(explicit))
  await mkdir(path.dirname(fromEnv))
  await symlink(system, explicit)
  await symlink(bundled, fromEnv)
  noLibass = path.join(dir, 'nolibass', 'ffmpeg')
  await mkdir(path.dirname(noLibass))
  await mkdir(emptyPath())
  await writeFile(
    noLibass,
    [
      '#!/bin/sh',
      'case "$*" in',
      '  *-version*) echo "ffmpeg version 9.9-nolibass Copyright (c) the FFmpeg developers"; exit 0 ;;',
      "  *-filters*) printf ' TSC overlay   VV->V  Overlay\\n ... zoompan  V->V  Zoom\\n ..C sidechaincompress AA->A  Sidechain\\n'; exit 0 ;;",
      'esac',
      'exit 1',
      ''
    ].join('\n')
  )
  await chmod(noLibass, 0o755)
})

afterAll(async () => {
  clearBinaryCache()
  await cleanup()
})

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, ...extra })

describe('ffmpeg resolution order', () => {
  it('takes the explicit path from settings first', async () => {
    const b = await resolveBinaries({ ffmpegPath: explicit }, { env: env({ FFMPEG_PATH: fromEnv }) })
    expect(b.ffmpeg).toMatchObject({ path: explicit, source: 'settings', hasLibass: true })
    expect(b.ffmpeg.version).toMatch(/\S/)
  })

  it('then FFMPEG_PATH / FFPROBE_PATH', async () => {
    const probe = bundledBinaryPath('ffprobe').path!
    const b = await resolveBinaries({}, { env: env({ FFMPEG_PATH: fromEnv, FFPROBE_PATH: probe }) })
    expect(b.ffmpeg).toMatchObject({ path: fromEnv, source: 'env' })
    expect(b.ffprobe).toMatchObject({ path: probe, source: 'env' })
  })

  it('then the bundled binary, which here has libass', async () => {
    const b = await resolveBinaries({}, { env: env() })
    expect(b.ffmpeg).toMatchObject({ path: bundled, source: 'bundled', hasLibass: true })
  })

  it('then the system ffmpeg on PATH', async () => {
    const b = await resolveBinaries({}, { env: env(), bundled: { ffmpeg: null, ffprobe: null } })
    expect(b.ffmpeg).toMatchObject({ path: system, source: 'system', hasLibass: true })
    expect(b.ffprobe.source).toBe('system')
  })

  it('reports and skips a bogus explicit path', async () => {
    const bogus = path.join(dir, 'no-such-dir', 'ffmpeg')
    const b = await resolveBinaries({ ffmpegPath: bogus }, { env: env({ FFMPEG_PATH: fromEnv }) })
    expect(b.ffmpeg.source).toBe('env')
    const rejection = b.rejected.find((r) => r.path === bogus)
    expect(rejection).toMatchObject({ tool: 'ffmpeg', source: 'settings' })
    expect(rejection!.reason).toMatch(/ENOENT|does not run/)
  })

  it('never runs a settings path that is not named ffmpeg (a shell, a script, a network share)', async () => {
    const script = path.join(dir, 'nolibass', 'not-ffmpeg.sh')
    await writeFile(script, `#!/bin/sh\ntouch ${path.join(dir, 'ran')}\n`)
    await chmod(script, 0o755)
    for (const bad of ['/bin/sh', script, '\\\\attacker\\share\\ffmpeg.exe', '//attacker/share/ffmpeg']) {
      const b = await resolveBinaries({ ffmpegPath: bad }, { env: env({ FFMPEG_PATH: fromEnv }) })
      expect(b.ffmpeg.source, bad).toBe('env')
      expect(b.rejected.find((r) => r.path === bad)).toMatchObject({ tool: 'ffmpeg', source: 'settings', reason: expect.stringMatching(/ffmpeg program|network path/) })
    }
    const probe = await resolveBinaries({ ffprobePath: '/bin/sh' }, { env: env() })
    expect(probe.ffprobe.source).not.toBe('settings')
    expect(existsSync(path.join(dir, 'ran'))).toBe(false)
  })

  it('skips a build without libass, recording why, and moves to the next candidate', async () => {
    const b = await resolveBinaries({}, { env: env(), bundled: { ffmpeg: noLibass } })
    expect(b.ffmpeg).toMatchObject({ path: system, source: 'system', hasLibass: true })
    expect(b.rejected).toContainEqual({
      tool: 'ffmpeg',
      source: 'bundled',
      path: noLibass,
      reason: 'built without libass (no subtitles filter)'
    })
  })

  it('still returns a libass-less ffmpeg when it is the only one (ImageMagick captions can use it)', async () => {
    const b = await resolveBinaries({ ffmpegPath: noLibass }, { env: env({ PATH: emptyPath() }), bundled: { ffmpeg: null } })
    expect(b.ffmpeg).toMatchObject({ path: noLibass, hasLibass: false })
  })

  it('fails with a permanent error listing every reason when nothing runs', async () => {
    const error = await resolveBinaries(
      { ffmpegPath: '/nonexistent/ffmpeg' },
      { env: env({ PATH: emptyPath() }), bundled: { ffmpeg: null } }
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StepError)
    expect((error as StepError).kind).toBe('permanent')
    expect((error as StepError).message).toMatch(/settings \/nonexistent\/ffmpeg: does not run/)
    expect((error as StepError).message).toMatch(/system ffmpeg: not found on PATH/)
  })

  it('pairs an ffmpeg from settings with the ffprobe beside it, for renders and for doctor alike', async () => {
    // Settings hold no ffprobe path: a user who picks an FFmpeg build expects its own ffprobe, not the bundle's.
    const folder = path.join(dir, 'pair')
    await mkdir(folder)
    await symlink(system, path.join(folder, 'ffmpeg'))
    await symlink((await findOnPath('ffprobe'))!, path.join(folder, 'ffprobe'))
    const b = await resolveBinaries({ ffmpegPath: path.join(folder, 'ffmpeg') }, { env: env() })
    expect(b.ffprobe).toMatchObject({ path: path.join(folder, 'ffprobe'), source: 'settings' })
    expect((await detectTools({ ffmpegPath: path.join(folder, 'ffmpeg') })).ffprobe).toMatchObject({ path: path.join(folder, 'ffprobe'), source: 'settings' })
    // An ffmpeg alone in its folder leaves ffprobe to the usual order, with nothing to complain about.
    const alone = await resolveBinaries({ ffmpegPath: explicit }, { env: env() })
    expect(alone.ffprobe.source).toBe('bundled')
    expect(alone.rejected.filter((r) => r.tool === 'ffprobe' && r.source === 'settings')).toEqual([])
  })

  it('caches per settings: same settings share one probe, other settings probe again', async () => {
    const a = resolveBinaries({ ffmpegPath: explicit }, { env: env() })
    const b = resolveBinaries({ ffmpegPath: explicit }, { env: env() })
    expect(a).toBe(b)
    const c = resolveBinaries({ ffmpegPath: fromEnv }, { env: env() })
    expect(c).not.toBe(a)
    expect((await c).ffmpeg.path).toBe(fromEnv)
  })
})

describe('detectTools (studio doctor)', () => {
  it('reports ffmpeg, ffprobe, libass, fonts and ImageMagick', async () => {
    const report = await detectTools()
    expect(report.ffmpeg.ok).toBe(true)
    expect(report.ffprobe.ok).toBe(true)
    expect(report.libass).toBe(true)
    expect(report.fonts.shipped.every((f) => f.present)).toBe(true)
    expect(report.fonts.fontconfig).toBe(true)
    expect(report.fonts.systemFallbacks).toContain('DejaVu Sans')
    // The real ImageMagick answers -version with "Version: ImageMagick ..."; a stand-in would not.
    expect(report.imagemagick.ok).toBe(true)
    expect(report.imagemagick.version).toMatch(/^\d+\./)
  })

  it('reports a broken explicit path as an error instead of throwing', async () => {
    const report = await detectTools({ ffprobePath: '/nonexistent/ffprobe' })
    expect(report.ffprobe.ok).toBe(true) // falls through to the next candidate
    expect(report.rejected.some((r) => r.path === '/nonexistent/ffprobe')).toBe(true)
  })
})
