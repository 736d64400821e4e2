import { en, type MessageKey } from './en'
import type { Translator } from './index'

/**
 * A pipeline step's title in the user's language. The engine names its steps in English ("Render
 * the video"); built-in steps have a translation, a single-step job's step is its pipeline, and
 * any other step keeps the title its pipeline gave it.
 */
export function stepTitle(t: Translator, pipeline: string, step: { name: string; title: string }): string {
  const own = `steptitle.${pipeline}.${step.name}`
  if (own in en) return t(own as MessageKey)
  const single = `batch.pipeline.${pipeline}`
  if (step.name === 'generate' && single in en) return t(single as MessageKey)
  return step.title
}

/**
 * A step's name where a few characters must do (the batch chart): a short translation for the
 * built-in steps, else what stepTitle says (a single-step job's pipeline, or the engine's name).
 */
export function stepShortLabel(t: Translator, pipeline: string, name: string): string {
  const short = `stepshort.${pipeline}.${name}`
  return short in en ? t(short as MessageKey) : stepTitle(t, pipeline, { name, title: name })
}
