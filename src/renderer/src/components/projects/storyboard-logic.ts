/**
 * The storyboard editor's arithmetic, apart from React: scene times for the player's scrubber,
 * spoken-length estimates while typing, the render plan's one-line summary, keyboard chords, and
 * what a drag carries. Tested directly.
 */
import { countWords, WORDS_PER_SECOND, type RenderPlanView, type SceneView } from '../../../../shared/storyboard'
import type { Translator } from '../../i18n'
import { approx, formatCost, formatDuration } from '../common/format'

/** What a scene lasts: the last render's figure when known, else the estimate from its words. */
export function sceneSeconds(scene: Pick<SceneView, 'renderedSec' | 'estimatedSec' | 'duration'>): number {
  if (scene.renderedSec !== null) return scene.renderedSec
  if (scene.duration.mode === 'fixed') return scene.duration.seconds
  return scene.estimatedSec
}

/** Where each scene starts in the video, in seconds (cumulative), and the total. */
export function sceneStarts(scenes: readonly Pick<SceneView, 'renderedSec' | 'estimatedSec' | 'duration'>[]): { starts: number[]; total: number } {
  const starts: number[] = []
  let t = 0
  for (const s of scenes) {
    starts.push(t)
    t += sceneSeconds(s)
  }
  return { starts, total: t }
}

/** The scene playing at `t` seconds (the last one whose start is not after it). */
export function sceneIndexAt(starts: readonly number[], t: number): number {
  let lo = 0
  let hi = starts.length - 1
  if (hi < 0) return -1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (starts[mid]! <= t + 1e-6) lo = mid
    else hi = mid - 1
  }
  return lo
}

/** Words and spoken seconds of a narration as it is typed (before the engine has seen it). */
export function narrationEstimate(text: string): { words: number; seconds: number } {
  const words = countWords(text)
  return { words, seconds: words / WORDS_PER_SECOND }
}

/** "2 of 6 scenes changed · ~14 s · $0.00" (French: "2 scènes modifiées sur 6 · ~14 s · 0,00 $US"). */
export function planSummary(plan: RenderPlanView, t: Translator): string {
  const changed = t.plural('storyboard.plan.changed', plan.scenesChanged, { total: t.number(plan.scenes) })
  const time = approx(formatDuration(plan.estimatedMs, t.locale))
  const cost = plan.estimatedCostUsd === null ? t('storyboard.plan.costUnknown') : formatCost(plan.estimatedCostUsd, t.locale)
  return `${changed} · ${time} · ${cost}`
}

/** macOS says Cmd where the others say Ctrl. */
export function isMacPlatform(): boolean {
  return typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent)
}

type Chord = Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>

/** Ctrl+Z (Cmd+Z on macOS): undo. Ctrl+Shift+Z or Ctrl+Y: redo. */
export function undoChord(e: Chord, mac = isMacPlatform()): 'undo' | 'redo' | null {
  const mod = mac ? e.metaKey : e.ctrlKey
  if (!mod || e.altKey) return null
  const key = e.key.toLowerCase()
  if (key === 'z') return e.shiftKey ? 'redo' : 'undo'
  if (key === 'y' && !mac) return 'redo'
  return null
}

/** Drag payload types inside the app (a scene card being moved, a bin item being placed). */
export const SCENE_MIME = 'application/x-studio-scene'
export const ASSET_MIME = 'application/x-studio-asset'

/** Where a moved scene lands, as `moveScene` counts it (its index in the list after the move). */
export function moveTarget(from: number, gapIndex: number): number {
  // Dropping in the gap before position `gapIndex` of the list as it is before the move.
  return gapIndex > from ? gapIndex - 1 : gapIndex
}

/** Paths under the data folder shown relative to it ("jobs/…/video.mp4"), never as absolute paths. */
export function relativeToData(path: string, dataDir: string | null): string {
  if (!dataDir) return path
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/\/+$/, '')
  const root = norm(dataDir)
  const p = norm(path)
  return p.startsWith(root + '/') ? p.slice(root.length + 1) : path
}

/** The data folder, guessed from paths the engine reported (the part before `/jobs/`, `/projects/` or `/assets/`). */
export function guessDataDir(paths: readonly string[]): string | null {
  for (const p of paths) {
    const m = /^(.*?)[\\/](jobs|projects|assets|storyboards)[\\/]/.exec(p)
    if (m) return m[1]!
  }
  return null
}

/** The strip's card of a scene, if it is on screen. */
export function cardElement(sceneId: string): HTMLElement | undefined {
  return [...document.querySelectorAll<HTMLElement>('[data-testid="scene-card"]')].find((el) => el.getAttribute('data-scene-id') === sceneId)
}
