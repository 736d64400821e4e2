/**
 * Text without a model, network or key: short video scripts (hook, 3–5 body sentences, call to
 * action) assembled from templates and seeded by the idea, so the same idea always gives the
 * same script and different ideas give different ones. The README demo runs on this. Results say
 * so: `offline: true`, provider "offline-templates".
 */
import { throwIfCancelled } from './cancellation'
import { readIdea, type Idea } from './offline-text-idea'
import { templatesFor, type LanguageTemplates } from './offline-text-templates'
import { applyStyle, type Draft } from './offline-text-style'
import { createRng } from './seeded-random'
import { resolveTextStyle } from './text-style'
import type { Language, TextCallOptions, TextProvider, TextRequest, TextResult } from './types'

export { adapt } from './speech-text'

export const OFFLINE_TEXT_PROVIDER_ID = 'offline-templates'

const MAX_TOPIC_LENGTH = 80

/**
 * The idea a prompt is about: the text after "about" / "sur" / "à propos de"…, else the first
 * sentence of the prompt, trimmed to something that fits in a sentence.
 */
export function extractTopic(prompt: string, language: Language = 'en'): string {
  const { templates } = templatesFor(language)
  const firstLine = prompt.trim().split(/\n/)[0] ?? ''
  let topic = firstLine
  for (const marker of templates.topicMarkers) {
    const match = new RegExp(`(?:^|\\s)${marker.replace(/ /g, '\\s+')}\\s*:?\\s+(.+)$`, 'iu').exec(firstLine)
    if (match?.[1]) {
      topic = match[1]
      break
    }
  }
  topic = topic.replace(/^["'«“\s]+|["'»”.!?:;,\s]+$/gu, '').replace(/\s+/g, ' ')
  if (topic.length > MAX_TOPIC_LENGTH) topic = `${topic.slice(0, MAX_TOPIC_LENGTH).replace(/\s+\S*$/, '')}`
  return topic || (language === 'fr' ? 'ce sujet' : 'this topic')
}

const capitalize = (s: string): string => s.charAt(0).toLocaleUpperCase() + s.slice(1)

export function fillTopic(template: string, topic: string): string {
  return template.replaceAll('{Topic}', capitalize(topic)).replaceAll('{topic}', topic)
}

export { readIdea, type Idea, type IdeaKind } from './offline-text-idea'

/**
 * French contractions and elisions the templates cannot know in advance because they depend on
 * the topic (and on later rewrites): "de le yoga" → "du yoga", "à les" → "aux",
 * "de intelligence" → "d’intelligence", "que il" → "qu’il". Templates never contain "de le"
 * followed by a verb, so the pronoun case does not arise.
 */
export function fixFrench(text: string): string {
  // \b is ASCII-only in JS ("voilà le" has a "boundary" before "à"), hence the Unicode lookbehinds.
  // After a hyphen "le"/"la" are pronouns of an imperative and never elide: "Partagez-la avec", "Croyez-le ou non".
  return text
    .replace(/(?<!\p{L})([Dd])e les\s/gu, (_m, d: string) => `${d}es `)
    .replace(/(?<!\p{L})([Dd])e le\s/gu, (_m, d: string) => `${d}u `)
    .replace(/(?<!\p{L})([Àà]) les\s/gu, (_m, a: string) => (a === 'À' ? 'Aux ' : 'aux '))
    .replace(/(?<!\p{L})([Àà]) le\s/gu, (_m, a: string) => (a === 'À' ? 'Au ' : 'au '))
    .replace(/(?<![\p{L}-])([Dd]e|[Qq]ue|[Jj]e|[Nn]e|[Ll]e|[Ll]a) (?=[aeiouyàâäéèêëîïôöûü])/gu, (_m, word: string) => `${word.slice(0, -1)}’`)
}

/** Subjects take the general templates; questions and statements the explainer ones, where the idea only opens the hook. */
function draftScript(idea: Idea, templates: LanguageTemplates, bodyCount: number, seed: string): Draft {
  const rng = createRng(`${seed}|structure`)
  const topic = idea.phrase
  if (idea.kind === 'subject') {
    return {
      hook: fillTopic(rng.pick(templates.hooks), topic),
      body: rng.shuffle(templates.bodies).slice(0, bodyCount).map((t) => fillTopic(t, topic)),
      cta: fillTopic(rng.pick(templates.ctas), topic)
    }
  }
  const e = templates.explainer
  const hook =
    idea.kind === 'directQuestion'
      ? `${idea.sentence} ${rng.pick(e.answerHooks)}`
      : fillTopic(rng.pick(idea.kind === 'question' ? e.questionHooks : e.claimHooks), topic)
  return { hook, body: rng.shuffle(e.bodies).slice(0, bodyCount), cta: rng.pick(e.ctas) }
}

/** The explainer's own details and supports: the general ones talk about habits and tips. */
function templatesForKind(templates: LanguageTemplates, idea: Idea): LanguageTemplates {
  if (idea.kind === 'subject') return templates
  return { ...templates, details: templates.explainer.details, supports: templates.explainer.supports }
}

function title(idea: Idea, templates: LanguageTemplates, seed: string): string {
  const rng = createRng(`${seed}|title`)
  if (idea.kind === 'subject') return fillTopic(rng.pick(templates.titles), idea.phrase)
  // "How do vaccines work?, explained" would not do: a question is its own title.
  if (/\?$/.test(idea.heading)) return idea.heading
  return rng.pick(templates.explainer.titles).replaceAll('{Heading}', idea.heading)
}

const estimateTokens = (text: string): number => Math.ceil(text.length / 4)

export class OfflineTextProvider implements TextProvider {
  readonly id = OFFLINE_TEXT_PROVIDER_ID
  readonly offline = true

  async probe(): Promise<void> {}

  async generate(request: TextRequest, options: TextCallOptions): Promise<TextResult> {
    throwIfCancelled(options.signal, this.id)
    const { language, templates } = templatesFor(request.language ?? 'en')
    const topic = (request.topic?.trim() || extractTopic(request.prompt, language)).replace(/\s+/g, ' ')
    const seed = `${request.seed ?? topic.toLowerCase()}|${language}`
    const style = resolveTextStyle(request.style, this.id)
    const idea = readIdea(topic, language)

    let text: string
    if (request.format === 'title') {
      text = title(idea, templates, seed)
    } else {
      // 3 body sentences at intensity 0.5, 4 at 1, 5 at 1.5.
      const bodyCount = Math.min(5, Math.max(3, Math.round(2 + 2 * style.intensity)))
      const draft = draftScript(idea, templates, bodyCount, seed)
      const styled = applyStyle(draft, style, { rng: createRng(`${seed}|style`), templates: templatesForKind(templates, idea), topic: idea.phrase })
      text = [styled.hook, styled.body.join(' '), styled.cta].join('\n\n')
    }
    if (language === 'fr') text = fixFrench(text)
    options.onProgress?.(100)
    return {
      text,
      usage: { inputTokens: estimateTokens(`${request.system ?? ''}${request.prompt}`), outputTokens: estimateTokens(text), estimated: true },
      costUsd: 0,
      priceKnown: true,
      provider: this.id,
      offline: true,
      finishReason: 'stop',
      model: `templates-${language}`
    }
  }
}
