import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import sharp from 'sharp'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { JobDetail } from '../../src/shared/types'
import type { StoryboardView } from '../../src/shared/storyboard'
import { probe } from '../../src/main/engine/render/ffmpeg'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { countingFfmpeg } from '../helpers/counting-ffmpeg'
import { tempDir, until } from '../helpers/engine'

/**
 * Storyboard renders end to end: real SQLite, real ffmpeg (behind a script that logs each call),
 * real offline speech (espeak-ng or mespeak) and title cards. Renders are drafts (half size,
 * fastest preset): the same steps, keys and assembly as a full render, in test time.
 */
let studio: Studio | undefined
afterEach(async () => {
  await studio?.close(2_000)
  studio = undefined
})

let ff: Awaited<ReturnType<typeof countingFfmpeg>>
let toolsDir: string
beforeAll(async () => {
  toolsDir = tempDir('studio-sb-tools-')
  ff = await countingFfmpeg(toolsDir)
})

function open(dataDir = tempDir('studio-sb-')): Studio {
  studio = openStudio({ dataDir, concurrency: 2, timings: { leaseMs: 10_000, pollMs: 25, reclaimEveryMs: 200, progressIntervalMs: 100 } })
  studio.settings.replace({ ...studio.settings.get(), ffmpegPath: ff.ffmpeg })
  return studio
}

async function image(dir: string, name: string, colour: string): Promise<string> {
  const path = join(dir, name)
  await sharp({ create: { width: 800, height: 600, channels: 3, background: colour } }).png().toFile(path)
  return path
}

async function renderAndWait(s: Studio, id: string): Promise<{ job: JobDetail; board: StoryboardView }> {
  const { job } = await s.storyboards.render({ id, draft: true })
  const done = await until(
    () => {
      const j = s.queue.get(job.id)
      return j && ['completed', 'failed', 'cancelled'].includes(j.status) ? j : null
    },
    240_000,
    'the render to finish'
  )
  expect(done.error, `render failed: ${done.error}`).toBeNull()
  expect(done.status).toBe('completed')
  return { job: done, board: s.storyboards.view(id) }
}

/** Which steps of a finished render ran (made something) and which reused an artifact. */
function ran(job: JobDetail): string[] {
  return job.steps.filter((s) => !(s.output as { reused?: boolean } | null)?.reused).map((s) => s.name)
}

/** Segment encodes ffmpeg really ran (calls whose output is a segment). */
const segmentEncodes = () => ff.calls().filter((c) => c[0] === 'ffmpeg' && c.some((a) => /\/\.segment\.[^/]*\.partial\.mp4$/.test(a)) && c.includes('-filter_complex'))

function srtCues(path: string): Array<{ start: number; end: number; text: string }> {
  const time = (t: string) => {
    const [h, m, rest] = t.split(':')
    const [sec, ms] = rest!.split(',')
    return Number(h) * 3600 + Number(m) * 60 + Number(sec) + Number(ms) / 1000
  }
  return readFileSync(path, 'utf8')
    .trim()
    .split(/\n\s*\n/)
    .map((block) => {
      const lines = block.split('\n')
      const [start, end] = lines[1]!.split(' --> ')
      return { start: time(start!), end: time(end!), text: lines.slice(2).join(' ') }
    })
}

describe('a storyboard render re-renders only what an edit touches', () => {
  it('edit, move, swap, format change and undo each run only their own steps', async () => {
    const s = open()
    const project = s.projects.create('Octopus film')
    // An empty project: the pictures are generated (title cards offline), one per scene.
    const board = await s.storyboards.create({
      projectId: project.id,
      from: { kind: 'idea', idea: 'Why octopuses have three hearts', lengthSec: 20 },
      settings: { format: '1:1', music: { kind: 'generated', mood: 'calm' } }
    })
    expect(board.scenes.every((sc) => sc.visual.kind === 'generated')).toBe(true)
    const pic = await s.projects.importAssetFile(project.id, 'reef.png', await image(toolsDir, 'reef.png', '#1a6b8f'))
    expect(board.scenes.length).toBeGreaterThanOrEqual(2)
    // Nothing renders until asked.
    expect(s.queue.list({ projectId: project.id })).toHaveLength(0)
    expect(board.scenes.every((sc) => sc.changed)).toBe(true)
    s.startWork()

    const first = await renderAndWait(s, board.id)
    const n = board.scenes.length
    expect(ran(first.job).filter((x) => x.startsWith('segment:'))).toHaveLength(n)
    const render1 = first.board.renders[0]!
    expect(render1.video).toBeTruthy()
    const info = await probe(render1.video!)
    const sceneSum = first.board.scenes.reduce((t, sc) => t + sc.renderedSec!, 0)
    expect(info.durationSec).toBeCloseTo(sceneSum, 1)
    expect(info.streams.some((st) => st.type === 'audio')).toBe(true)
    expect(first.board.scenes.every((sc) => !sc.changed)).toBe(true)

    // Edit scene 2's narration: its voice and segment, the music only if the length crossed a bucket, and the assembly.
    const scene2 = board.scenes[1]!
    const edited = await s.storyboards.edit(board.id, { op: 'updateScene', sceneId: scene2.id, patch: { narration: 'Each heart beats for a different part of the body.' } })
    expect(edited.scenes.map((sc) => sc.changed)).toEqual(board.scenes.map((_, i) => i === 1))
    const plan = await s.storyboards.plan({ id: board.id, draft: true })
    expect(plan.scenesChanged).toBe(1)
    ff.reset()
    const second = await renderAndWait(s, board.id)
    const ran2 = ran(second.job)
    expect(ran2).toContain(`voice:${scene2.id}`)
    expect(ran2).toContain(`segment:${scene2.id}`)
    expect(ran2.filter((x) => /^(voice|visual|segment):/.test(x)).sort()).toEqual([`segment:${scene2.id}`, `voice:${scene2.id}`])
    expect(segmentEncodes()).toHaveLength(1)
    expect(second.job.steps.filter((st) => st.name.startsWith('voice:') && (st.output as { reused?: boolean }).reused)).toHaveLength(
      board.scenes.filter((sc) => sc.narration.trim()).length - 1
    )
    // The new caption sits at scene 2's time, and the video lasts the sum of its scenes.
    const render2 = second.board.renders[0]!
    const start2 = second.board.scenes[0]!.renderedSec!
    const end2 = start2 + second.board.scenes[1]!.renderedSec!
    const cues = srtCues(render2.subtitles!)
    const atScene2 = cues.filter((c) => c.start >= start2 - 0.05 && c.end <= end2 + 0.05).map((c) => c.text).join(' ')
    expect(atScene2).toContain('Each heart beats')
    expect(cues.map((c) => c.text).join(' ')).not.toContain(scene2.narration.slice(0, 20))
    expect((await probe(render2.video!)).durationSec).toBeCloseTo(second.board.scenes.reduce((t, sc) => t + sc.renderedSec!, 0), 1)
    expect(render2.stepsReused).toBeGreaterThan(render2.stepsRun)

    // Move a scene: every voice, picture and segment is reused; only the assembly runs.
    await s.storyboards.edit(board.id, { op: 'moveScene', sceneId: board.scenes[0]!.id, index: n - 1 })
    ff.reset()
    const moved = await renderAndWait(s, board.id)
    expect(ran(moved.job)).toEqual(['assemble'])
    expect(segmentEncodes()).toHaveLength(0)

    // Swap one scene's picture for a project asset: one segment.
    const target = moved.board.scenes[0]!
    await s.storyboards.edit(board.id, { op: 'updateScene', sceneId: target.id, patch: { visual: { kind: 'asset', assetId: pic.id } } })
    ff.reset()
    const swapped = await renderAndWait(s, board.id)
    expect(ran(swapped.job).filter((x) => /^(voice|segment):/.test(x))).toEqual([`segment:${target.id}`])
    expect(segmentEncodes()).toHaveLength(1)

    // Change the format: every segment again, no voice and no generated picture again.
    await s.storyboards.edit(board.id, { op: 'updateSettings', patch: { format: '16:9' } })
    const reformatted = await renderAndWait(s, board.id)
    const ranFormat = ran(reformatted.job)
    expect(ranFormat.filter((x) => x.startsWith('voice:'))).toEqual([])
    expect(ranFormat.filter((x) => x.startsWith('segment:'))).toHaveLength(n)
    const wide = await probe(reformatted.board.renders[0]!.video!)
    expect(wide.streams.find((st) => st.type === 'video')!.width).toBe(960)

    // Undo the format change: the square render's artifacts are all there; nothing runs.
    const undone = s.storyboards.undo(board.id)
    expect(undone.settings.format).toBe('1:1')
    ff.reset()
    const back = await renderAndWait(s, board.id)
    expect(ran(back.job)).toEqual([])
    expect(segmentEncodes()).toHaveLength(0)
    expect(back.board.renders[0]!.video).toBeTruthy()
  }, 600_000)

  it('undo and redo move between revisions and survive a restart', async () => {
    const dir = tempDir('studio-sb-undo-')
    let s = open(dir)
    const project = s.projects.create('Undo')
    const board = await s.storyboards.create({ projectId: project.id, from: { kind: 'blank' } })
    expect(board.scenes).toHaveLength(0)
    const one = await s.storyboards.edit(board.id, { op: 'addScene', scene: { narration: 'First words.' } })
    const sceneId = one.scenes[0]!.id
    await s.storyboards.edit(board.id, { op: 'updateScene', sceneId, patch: { narration: 'Second words.' } })
    await s.close()
    s = open(dir)
    const undone = s.storyboards.undo(board.id)
    expect(undone.scenes[0]!.narration).toBe('First words.')
    expect(undone.canRedo).toBe(true)
    expect(s.storyboards.redo(board.id).scenes[0]!.narration).toBe('Second words.')
    s.storyboards.undo(board.id)
    // A new edit after an undo ends the redo branch.
    const branched = await s.storyboards.edit(board.id, { op: 'rename', title: 'Renamed' })
    expect(branched.canRedo).toBe(false)
    expect(branched.scenes[0]!.narration).toBe('First words.')
    expect(() => s.storyboards.redo(board.id)).toThrow(/nothing to redo/)
    s.storyboards.undo(board.id)
    expect(s.storyboards.undo(board.id).canUndo).toBe(false)
    expect(() => s.storyboards.undo(board.id)).toThrow(/nothing to undo/)
  })

  it('bad edits get clear errors that name the field', async () => {
    const s = open()
    const project = s.projects.create('Errors')
    const other = s.projects.create('Other')
    const foreign = await s.projects.importAssetFile(other.id, 'other.png', await image(toolsDir, 'other.png', '#aa3300'))
    const clipPath = join(toolsDir, 'clip.mp4')
    await new Promise<void>((resolve, reject) => {
      const p = spawn(ff.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=2', '-pix_fmt', 'yuv420p', clipPath])
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}`))))
    })
    const clip = await s.projects.importAssetFile(project.id, 'clip.mp4', clipPath)
    const board = await s.storyboards.create({ projectId: project.id, from: { kind: 'blank' } })
    await expect(s.storyboards.render({ id: board.id })).rejects.toThrow(/no scene to render/)
    await expect(s.storyboards.edit(board.id, { op: 'removeScene', sceneId: 'nope' })).rejects.toThrow(/edit\.sceneId: no scene nope/)
    await expect(s.storyboards.edit(board.id, { op: 'addScene', scene: { visual: { kind: 'asset', assetId: foreign.id } } })).rejects.toThrow(
      /scenes\[0\]\.visual: no asset .* in project errors/
    )
    await expect(
      s.storyboards.edit(board.id, { op: 'addScene', scene: { visual: { kind: 'asset', assetId: clip.id, inSec: 0.5, outSec: 9 } } })
    ).rejects.toThrow(/scenes\[0\]\.visual\.outSec: 9 s is past the end of clip\.mp4 \(2\.\d+ s\)/)
    await expect(s.storyboards.edit(board.id, { op: 'addScene', scene: { duration: { mode: 'fixed', seconds: -1 } } })).rejects.toThrow(
      /edit\.scene\.duration\.seconds: seconds must be at least 0\.5 s/
    )
    await expect(s.storyboards.edit(board.id, { op: 'bogus' } as never)).rejects.toThrow(/edit\.op/)
    // A good clip edit passes, and nothing of the refused ones was kept.
    const ok = await s.storyboards.edit(board.id, { op: 'addScene', scene: { visual: { kind: 'asset', assetId: clip.id, inSec: 0.5, outSec: 1.5 } } })
    expect(ok.scenes).toHaveLength(1)
    expect(ok.revision).toBe(2)
  })
})

describe('a storyboard render killed with SIGKILL', () => {
  it('resumes with the finished segments reused', async () => {
    const dir = tempDir('studio-sb-kill-')
    let s = open(dir)
    const project = s.projects.create('Crash')
    const board = await s.storyboards.create({ projectId: project.id, from: { kind: 'idea', idea: 'The life of a lighthouse keeper', lengthSec: 30 } })
    const { job } = await s.storyboards.render({ id: board.id, draft: true })
    await s.close()
    studio = undefined
    ff.reset()

    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/studio-child.ts', dir], { stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
    const db = new Database(join(dir, 'studio.db'), { readonly: true })
    try {
      // Killed once at least one segment is kept and before the assembly.
      await until(() => (db.prepare("SELECT COUNT(*) AS n FROM artifacts WHERE kind = 'segment'").get() as { n: number }).n >= 1, 120_000, 'a first segment')
    } finally {
      db.close()
    }
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')
    const before = segmentEncodes().length
    const check = new Database(join(dir, 'studio.db'), { readonly: true })
    const kept = (check.prepare("SELECT COUNT(*) AS n FROM artifacts WHERE kind = 'segment'").get() as { n: number }).n
    check.close()

    s = open(dir)
    s.startWork()
    const done = await until(
      () => {
        const j = s.queue.get(job.id)
        return j && ['completed', 'failed'].includes(j.status) ? j : null
      },
      240_000,
      'the resumed render'
    )
    expect(done.error).toBeNull()
    const segments = done.steps.filter((st) => st.name.startsWith('segment:'))
    // Every segment kept before the kill (checkpointed or not) is never encoded again; the rest once each.
    const after = segmentEncodes().length - before
    expect(kept).toBeGreaterThanOrEqual(1)
    expect(after).toBe(segments.length - kept)
    // The kill came mid-render: segments were left to encode after it. (How many encodes had
    // started by then beyond those kept depends on the machine's load between the poll and the
    // kill: two slots, and a loaded machine let a third start; bounding it tested the machine.)
    expect(before).toBeGreaterThanOrEqual(kept)
    expect(kept).toBeLessThan(segments.length)
    expect((await probe(done.steps.find((st) => st.name === 'assemble')!.files.video!)).durationSec).toBeGreaterThan(1)
  }, 300_000)
})
