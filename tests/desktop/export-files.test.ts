/**
 * "Export…" of a render in the desktop app (system/exportFiles): the MP4 is saved where the user
 * chooses in a save dialog, its SRT beside it under the same name; cancelling copies nothing; a
 * path outside the data folder is refused before any dialog opens.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { desktopHandlers } from '../../src/main/desktop/desktop-handlers'
import { electron } from '../helpers/electron-double'
import { tempDir } from '../helpers/engine'

vi.mock('electron', async () => (await import('../helpers/electron-double')).electronModule())

describe('system/exportFiles (desktop only)', () => {
  let dataDir: string
  let out: string
  let handlers: ReturnType<typeof desktopHandlers>
  const render = () => join(dataDir, 'storyboards', 'sb1', 'renders', 'r1')
  beforeEach(() => {
    electron.reset()
    dataDir = tempDir('export-')
    out = tempDir('export-out-')
    mkdirSync(render(), { recursive: true })
    writeFileSync(join(render(), 'video.mp4'), 'MP4DATA')
    writeFileSync(join(render(), 'video.srt'), '1\n00:00:00,000 --> 00:00:02,000\nHello\n')
    handlers = desktopHandlers({ revealRoots: [dataDir], secrets: { set: () => true, unavailableReason: () => null }, invalidateProviders: () => {} })
  })

  it('saves the video where the user chose and its subtitles beside it, under the same name', async () => {
    electron.dialog.saveAnswers.push({ canceled: false, filePath: join(out, 'spring promo.mp4') })
    const r = await handlers['system/exportFiles']({ paths: [join(render(), 'video.mp4'), join(render(), 'video.srt')] })
    expect(r.saved).toEqual([join(out, 'spring promo.mp4'), join(out, 'spring promo.srt')])
    expect(readFileSync(join(out, 'spring promo.mp4'), 'utf8')).toBe('MP4DATA')
    expect(readFileSync(join(out, 'spring promo.srt'), 'utf8')).toMatch(/Hello/)
    expect(electron.callsTo('dialog.showSaveDialog')[0]?.args).toMatchObject([{ defaultPath: 'video.mp4' }])
  })

  it('a name typed without extension gets the file\'s own; cancelling copies nothing', async () => {
    electron.dialog.saveAnswers.push({ canceled: false, filePath: join(out, 'final') })
    expect((await handlers['system/exportFiles']({ paths: [join(render(), 'video.mp4')] })).saved).toEqual([join(out, 'final.mp4')])
    expect((await handlers['system/exportFiles']({ paths: [join(render(), 'video.mp4')] })).saved).toEqual([])
  })

  it('exploit: a path outside the data folder (or a symlink out of it) is refused before any dialog opens', async () => {
    symlinkSync('/etc', join(dataDir, 'etc-link'))
    for (const path of ['/etc/passwd', join(dataDir, 'etc-link', 'passwd'), join(dataDir, '..', 'x.mp4')]) {
      electron.dialog.saveAnswers.push({ canceled: false, filePath: join(out, 'stolen') })
      await expect(handlers['system/exportFiles']({ paths: [path] }), path).rejects.toMatchObject({ code: expect.stringMatching(/forbidden|not_found|bad_request/) })
    }
    expect(electron.callsTo('dialog.showSaveDialog')).toEqual([])
    expect(existsSync(join(out, 'stolen'))).toBe(false)
  })
})
