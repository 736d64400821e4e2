/**
 * The storyboards slice and the editor's arithmetic: an edit's answer keeps the scenes it did not
 * touch (so their cards do not repaint), a storyboard edited elsewhere is marked stale until its
 * newer copy arrives, a render's step progress is kept per scene, and the plan, scrubber times and
 * undo chords read as they should.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { getStudio, resetStudio } from '../../src/renderer/src/store'
import { latestFullRender, reusedScenes, sceneProgress } from '../../src/renderer/src/store/storyboards'
import type { JobDetail } from '../../src/shared/types'
import { moveTarget, narrationEstimate, planSummary, relativeToData, sceneIndexAt, sceneStarts, undoChord } from '../../src/renderer/src/components/projects/storyboard-logic'
import { newSeed } from '../../src/renderer/src/components/projects/storyboard-actions'
import { translator } from '../../src/renderer/src/i18n'
import { job } from './fixtures'
import { edited, scene, storyboard } from './storyboard-fixtures'

beforeEach(() => resetStudio())

describe('storyboards slice', () => {
  it('an edit of one scene keeps the other scene objects (their memoized cards do not repaint)', () => {
    const v1 = storyboard({}, 40)
    getStudio().setStoryboard(v1)
    const held = getStudio().storyboards.sb1!
    const v2 = edited(v1, (v) => ((v.scenes[7]!.narration = 'New words.'), v))
    getStudio().setStoryboard(v2)
    const next = getStudio().storyboards.sb1!
    expect(next.revision).toBe(2)
    expect(next.scenes[7]).not.toBe(held.scenes[7])
    expect(next.scenes[7]!.narration).toBe('New words.')
    const same = next.scenes.filter((s, i) => s === held.scenes[i]).length
    expect(same).toBe(39)
  })

  it('drops an answer older than the copy held (two edits answered out of order)', () => {
    const v1 = storyboard()
    const v2 = edited(v1, (v) => ((v.title = 'Two'), v))
    getStudio().setStoryboard(v2)
    getStudio().setStoryboard(v1)
    expect(getStudio().storyboards.sb1!.title).toBe('Two')
  })

  it('storyboard.changed marks a held storyboard stale until a copy at that revision arrives; unknown ones are ignored', () => {
    getStudio().setStoryboard(storyboard())
    getStudio().applyEvents([
      { type: 'storyboard.changed', id: 'sb1', projectId: 'promo', revision: 1 },
      { type: 'storyboard.changed', id: 'other', projectId: 'promo', revision: 4 }
    ])
    expect(getStudio().storyboardStale).toEqual({})
    getStudio().applyEvents([{ type: 'storyboard.changed', id: 'sb1', projectId: 'promo', revision: 3 }])
    expect(getStudio().storyboardStale).toEqual({ sb1: 3 })
    getStudio().setStoryboard(storyboard({ revision: 3, updatedAt: 2 }))
    expect(getStudio().storyboardStale).toEqual({})
  })

  it('keeps each step of a render job, so every scene shows its progress while segments run side by side; forgets it when the job ends', () => {
    const j = job({ id: 'render-1', status: 'processing', type: 'storyboard' })
    getStudio().setJobs([j])
    getStudio().noteRender('render-1', 'sb1')
    getStudio().applyEvents([
      { type: 'job.progress', jobId: 'render-1', progress: 10, step: 'voice:s1', stepProgress: 100, message: null },
      { type: 'job.progress', jobId: 'render-1', progress: 20, step: 'segment:s1', stepProgress: 40, message: null },
      { type: 'job.progress', jobId: 'render-1', progress: 25, step: 'segment:s3', stepProgress: 70, message: null },
      { type: 'job.progress', jobId: 'render-1', progress: 30, step: 'segment:s1', stepProgress: 30, message: null },
      { type: 'job.progress', jobId: 'render-1', progress: 90, step: 'assemble', stepProgress: 5, message: null },
      { type: 'job.progress', jobId: 'not-a-render', progress: 90, step: 'voice:s1', stepProgress: 5, message: null }
    ])
    expect(sceneProgress(getStudio().renderSteps['render-1'])).toEqual({ s1: { voice: 100, segment: 40 }, s3: { segment: 70 } })
    expect(getStudio().renderSteps['not-a-render']).toBeUndefined()
    getStudio().applyEvents([{ type: 'job.changed', job: { ...j, status: 'completed', updatedAt: j.updatedAt + 5 } }])
    expect(getStudio().renderSteps['render-1']).toBeUndefined()
  })

  it('a render listed in a storyboard is followed too; the project list follows edits', () => {
    getStudio().setStoryboardList('promo', [{ id: 'sb1', projectId: 'promo', title: 'Old', format: '9:16', sceneCount: 3, revision: 1, updatedAt: 1, poster: null }])
    getStudio().setStoryboard(storyboard({ title: 'Spring promo', renders: [{ ...renderStub('job-9') }] }, 5))
    expect(getStudio().renderJobs['job-9']).toBe('sb1')
    expect(getStudio().storyboardLists.promo).toMatchObject([{ id: 'sb1', title: 'Spring promo', sceneCount: 5 }])
    getStudio().removeStoryboard('sb1')
    expect(getStudio().storyboardLists.promo).toEqual([])
  })
})

function renderStub(jobId: string) {
  return { jobId, revision: 1, draft: false, sceneId: null, status: 'processing' as const, progress: 0, createdAt: 1, completedAt: null, video: null, subtitles: null, poster: null, durationSec: null, stepsRun: 0, stepsReused: 0, error: null }
}

describe('editor arithmetic', () => {
  it('scene start times add up rendered seconds when known, else estimates; the scene at a time is found', () => {
    const scenes = [
      scene({ id: 'a', index: 0, renderedSec: 4 }),
      scene({ id: 'b', index: 1, narration: 'one two three four five six seven eight nine ten eleven twelve thirteen', renderedSec: null }),
      scene({ id: 'c', index: 2, duration: { mode: 'fixed', seconds: 3 } })
    ]
    const { starts, total } = sceneStarts(scenes)
    expect(starts[0]).toBe(0)
    expect(starts[1]).toBe(4)
    expect(starts[2]).toBeCloseTo(4 + 13 / 2.6 + 0.4)
    expect(total).toBeCloseTo(starts[2]! + 3)
    expect(sceneIndexAt(starts, 0)).toBe(0)
    expect(sceneIndexAt(starts, 3.99)).toBe(0)
    expect(sceneIndexAt(starts, 4)).toBe(1)
    expect(sceneIndexAt(starts, 1000)).toBe(2)
    expect(sceneIndexAt([], 1)).toBe(-1)
  })

  it('estimates spoken length from the words typed (WORDS_PER_SECOND)', () => {
    expect(narrationEstimate('  Tides follow   the moon. ')).toEqual({ words: 4, seconds: 4 / 2.6 })
    expect(narrationEstimate('')).toEqual({ words: 0, seconds: 0 })
  })

  it('says what a render will do, in English and in French', () => {
    const plan = { scenes: 6, scenesChanged: 2, stepsToRun: 5, stepsReused: 13, estimatedMs: 14_000, estimatedCostUsd: 0 }
    expect(planSummary(plan, translator('en'))).toBe('2 of 6 scenes changed · ~14s · $0.00')
    expect(planSummary(plan, translator('fr'))).toBe('2 scènes modifiées sur 6 · ~14 s · 0,00\u00a0$US')
    expect(planSummary({ ...plan, scenesChanged: 1, estimatedCostUsd: null }, translator('fr'))).toBe('1 scène modifiée sur 6 · ~14 s · coût inconnu')
  })

  it('undo and redo chords: Ctrl on Windows and Linux, Cmd on macOS', () => {
    const k = (key: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey', boolean>> = {}) => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods })
    expect(undoChord(k('z', { ctrlKey: true }), false)).toBe('undo')
    expect(undoChord(k('Z', { ctrlKey: true, shiftKey: true }), false)).toBe('redo')
    expect(undoChord(k('y', { ctrlKey: true }), false)).toBe('redo')
    expect(undoChord(k('z', { metaKey: true }), false)).toBeNull()
    expect(undoChord(k('z', { metaKey: true }), true)).toBe('undo')
    expect(undoChord(k('z', { metaKey: true, shiftKey: true }), true)).toBe('redo')
    expect(undoChord(k('z', { ctrlKey: true }), true)).toBeNull()
    expect(undoChord(k('z', { ctrlKey: true, altKey: true }), false)).toBeNull()
  })

  it('a card dropped in a gap lands where the gap is; regenerate always picks another seed; paths are shown relative to the data folder', () => {
    expect(moveTarget(0, 3)).toBe(2)
    expect(moveTarget(3, 0)).toBe(0)
    expect(moveTarget(1, 1)).toBe(1)
    let n = 0
    expect(newSeed(5, () => [5 / 2_147_483_647, 0.5][n++]!)).not.toBe(5)
    expect(relativeToData('/home/u/.studio/jobs/j1/video.mp4', '/home/u/.studio')).toBe('jobs/j1/video.mp4')
    expect(relativeToData('C:\\Data\\jobs\\j1\\v.mp4', 'C:\\Data')).toBe('jobs/j1/v.mp4')
    expect(relativeToData('/elsewhere/v.mp4', '/home/u/.studio')).toBe('/elsewhere/v.mp4')
  })
})

describe('what a render reused', () => {
  it('is read from its segment steps: reused and completed only, by scene', () => {
    const steps = [
      { name: 'voice:s1', status: 'completed', output: { reused: true } },
      { name: 'segment:s1', status: 'completed', output: { reused: true } },
      { name: 'segment:s2', status: 'completed', output: { reused: false } },
      { name: 'segment:s3', status: 'failed', output: { reused: true } },
      { name: 'segment:s4', status: 'completed', output: null },
      { name: 'segment:s5', status: 'completed', output: { reused: 'yes' } },
      { name: 'assemble', status: 'completed', output: { reused: true } }
    ] as unknown as JobDetail['steps']
    expect(reusedScenes({ steps })).toEqual(['s1'])
  })

  it('from the newest finished whole render: not a draft, a one-scene preview or a render still running', () => {
    const renders = [
      { ...renderStub('running'), status: 'processing' as const },
      { ...renderStub('draft'), status: 'completed' as const, draft: true },
      { ...renderStub('scene'), status: 'completed' as const, draft: true, sceneId: 's1' },
      { ...renderStub('full'), status: 'completed' as const },
      { ...renderStub('older'), status: 'completed' as const }
    ]
    expect(latestFullRender(renders)?.jobId).toBe('full')
    expect(latestFullRender(renders.slice(0, 3))).toBeUndefined()
  })
})
