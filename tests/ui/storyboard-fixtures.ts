/** Storyboard views in the contract's shape, for the editor's component and store tests. */
import { countWords, WORDS_PER_SECOND, type SceneView, type StoryboardRenderView, type StoryboardView } from '../../src/shared/storyboard'

export function scene(over: Partial<SceneView> & { id: string; index: number }): SceneView {
  const narration = over.narration ?? ''
  const words = countWords(narration)
  return {
    narration,
    visual: { kind: 'title', text: `Scene ${over.index + 1}` },
    duration: { mode: 'auto', paddingSec: 0.4 },
    caption: null,
    motion: 'default',
    transition: 'default',
    words,
    estimatedSec: words / WORDS_PER_SECOND + 0.4,
    renderedSec: null,
    changed: true,
    thumbnail: null,
    ...over
  }
}

export function storyboard(over: Partial<StoryboardView> = {}, sceneCount = 3): StoryboardView {
  return {
    id: 'sb1',
    projectId: 'promo',
    title: 'Spring promo',
    settings: {
      format: '9:16',
      language: 'en',
      voice: { speed: 1 },
      music: { kind: 'none' },
      captions: { mode: 'sentence' },
      motion: 'zoom-in',
      transition: 'cut'
    },
    scenes: Array.from({ length: sceneCount }, (_, i) => scene({ id: `s${i + 1}`, index: i, narration: `Words of scene ${i + 1}.` })),
    revision: 1,
    canUndo: true,
    canRedo: false,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    renders: [],
    ...over
  }
}

export function renderView(over: Partial<StoryboardRenderView> & { jobId: string }): StoryboardRenderView {
  return {
    revision: 1,
    draft: false,
    sceneId: null,
    status: 'completed',
    progress: 100,
    createdAt: 1_700_000_000_000,
    completedAt: 1_700_000_010_000,
    video: `/data/storyboards/sb1/renders/${over.jobId}/video.mp4`,
    subtitles: `/data/storyboards/sb1/renders/${over.jobId}/video.srt`,
    poster: null,
    durationSec: 9,
    stepsRun: 9,
    stepsReused: 0,
    error: null,
    ...over
  }
}

/** The storyboard after an edit, as the engine would answer it (revision + 1). */
export function edited(view: StoryboardView, change: (v: StoryboardView) => StoryboardView): StoryboardView {
  const next = change(structuredClone(view))
  return { ...next, revision: view.revision + 1, updatedAt: view.updatedAt + 1, canUndo: true }
}
