import type { Scene } from '../../../shared/storyboard'

/** A scene without narration (or whose narration is not known yet) lasts at least this long. */
export const SILENT_SCENE_SEC = 2
/** Longest crossfade; shorter when a scene is short (never more than half of either scene). */
export const CROSSFADE_SEC = 0.5

/** A scene's length in seconds: its narration plus padding, or the fixed length the user set. */
export function sceneSeconds(scene: Scene, voiceSec: number | null): number {
  if (scene.duration.mode === 'fixed') return scene.duration.seconds
  return voiceSec && voiceSec > 0 ? voiceSec + scene.duration.paddingSec : Math.max(SILENT_SCENE_SEC, scene.duration.paddingSec)
}

/** Whole frames, so that every segment and the mixed audio line up exactly. */
export function sceneFrames(seconds: number, fps: number): number {
  return Math.max(1, Math.round(seconds * fps))
}

/** Frames a crossfade between two scenes takes; 0 when a scene is too short for one. */
export function crossfadeFrames(prevFrames: number, ownFrames: number, fps: number): number {
  return Math.max(0, Math.min(Math.round(CROSSFADE_SEC * fps), Math.floor(prevFrames / 2), Math.floor(ownFrames / 2)))
}
