/**
 * The writing-style knobs of the batch pipeline configuration (seed 3):
 * selective / adversarial / humanSimulation / patternBreaking presets and an intensity
 * 0.5–1.5. Online models receive them as instructions; the offline generator applies them
 * itself (see offline-text-style.ts).
 */
import { z } from 'zod'
import { permanent } from '../errors'
import type { Language } from './language'

export const SELECTIVE_PRESETS = ['lightEnhancement', 'standardEnhancement', 'fullEnhancement', 'personalityFocus', 'fluidityFocus'] as const
export const ADVERSARIAL_LEVELS = ['none', 'light', 'standard', 'heavy', 'adaptive'] as const
export const HUMAN_SIMULATION_MODES = ['none', 'lightSimulation', 'personalityFocus', 'adaptive'] as const
export const PATTERN_BREAKING_MODES = ['none', 'syntaxFocus', 'connectorsFocus', 'adaptive'] as const

export const TextStyle = z.object({
  selective: z.enum(SELECTIVE_PRESETS).default('standardEnhancement'),
  adversarial: z.enum(ADVERSARIAL_LEVELS).default('none'),
  humanSimulation: z.enum(HUMAN_SIMULATION_MODES).default('none'),
  patternBreaking: z.enum(PATTERN_BREAKING_MODES).default('none'),
  intensity: z.number().min(0.5).max(1.5).default(1)
})
export type TextStyle = z.infer<typeof TextStyle>

export const DEFAULT_TEXT_STYLE: TextStyle = TextStyle.parse({})

/**
 * Validate a partial style from a request and fill the defaults. Values outside the presets are
 * the caller's mistake and will not get better on retry: a permanent StepError naming them.
 */
export function resolveTextStyle(style: Partial<TextStyle> | undefined, provider = 'text-style'): TextStyle {
  const result = TextStyle.safeParse(style ?? {})
  if (result.success) return result.data
  const detail = result.error.issues.map((issue) => `${issue.path.join('.') || 'style'}: ${issue.message}`).join('; ')
  throw permanent(`${provider}: invalid text style (${detail})`, { provider })
}

const LANGUAGE_NAMES: Record<string, string> = { en: 'English', fr: 'French', es: 'Spanish', de: 'German', it: 'Italian', pt: 'Portuguese' }

const SELECTIVE_INSTRUCTIONS: Record<TextStyle['selective'], string> = {
  lightEnhancement: 'Keep enrichment light: one concrete detail at most.',
  standardEnhancement: 'Add a couple of concrete details or examples.',
  fullEnhancement: 'Enrich generously: concrete details, examples and vivid wording throughout.',
  personalityFocus: 'Give the text a personal voice: first-person asides and opinions.',
  fluidityFocus: 'Favour flow: link sentences with natural transitions.'
}
const ADVERSARIAL_INSTRUCTIONS: Record<TextStyle['adversarial'], string> = {
  none: '',
  light: 'Avoid stock AI phrasing (moreover, furthermore, delve).',
  standard: 'Avoid stock AI phrasing and vary sentence length.',
  heavy: 'Avoid stock AI phrasing, vary sentence length strongly, include short fragments.',
  adaptive: 'Avoid stock AI phrasing where it sounds mechanical.'
}
const HUMAN_INSTRUCTIONS: Record<TextStyle['humanSimulation'], string> = {
  none: '',
  lightSimulation: 'Sound spoken: contractions and the odd filler word.',
  personalityFocus: 'Sound like a real person talking, with reactions and small hesitations.',
  adaptive: 'Sound natural and spoken where it fits.'
}
const PATTERN_INSTRUCTIONS: Record<TextStyle['patternBreaking'], string> = {
  none: '',
  syntaxFocus: 'Break predictable syntax: mix questions, fragments and inverted sentences.',
  connectorsFocus: 'Vary connectors; never start two sentences with the same one.',
  adaptive: 'Avoid repetitive sentence patterns.'
}

/** A system-prompt paragraph describing the style and language, for online models. */
export function styleInstructions(style: TextStyle | undefined, language: Language | undefined): string {
  const parts: string[] = []
  if (language) parts.push(`Write in ${LANGUAGE_NAMES[language] ?? language}.`)
  if (style) {
    parts.push(SELECTIVE_INSTRUCTIONS[style.selective], ADVERSARIAL_INSTRUCTIONS[style.adversarial], HUMAN_INSTRUCTIONS[style.humanSimulation], PATTERN_INSTRUCTIONS[style.patternBreaking])
    if (style.intensity < 0.8) parts.push('Apply these style rules subtly.')
    else if (style.intensity > 1.2) parts.push('Apply these style rules strongly.')
  }
  return parts.filter(Boolean).join(' ')
}
