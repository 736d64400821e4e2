/**
 * Applies a TextStyle to an offline draft so that every preset changes the text in a way a
 * person can see: enhancements add details, personalityFocus adds first-person asides,
 * fluidityFocus merges sentences, adversarial rewrites stock wording and varies sentence
 * length, humanSimulation adds spoken forms and fillers, patternBreaking adds questions or
 * varies connectors. Intensity scales how many times each change is applied.
 */
import type { LanguageTemplates } from './offline-text-templates'
import type { Rng } from './seeded-random'
import type { TextStyle } from './text-style'

export interface Draft {
  hook: string
  body: string[]
  cta: string
}

interface StyleContext {
  rng: Rng
  templates: LanguageTemplates
  /** The topic as inserted mid-sentence, so a lower-cased opener does not lower-case it. */
  topic: string
  intensity: number
}

/** How many times to apply a change: `base` at intensity 1, at least once. */
const times = (base: number, intensity: number): number => Math.max(1, Math.round(base * intensity))

const capitalize = (s: string): string => s.charAt(0).toLocaleUpperCase() + s.slice(1)

/** "Experts use…" → "experts use…" after an opener, leaving the topic and "I" alone. */
function continueSentence(sentence: string, topic: string): string {
  if (topic && sentence.startsWith(capitalize(topic))) return topic + sentence.slice(topic.length)
  if (/^(I\b|I'|I’)/.test(sentence)) return sentence
  return sentence.charAt(0).toLocaleLowerCase() + sentence.slice(1)
}

/** "Moreover, x" / "Over time, x": an opener of a few words ending in a comma. */
const OPENER = /^[\p{L}’' ]{2,28},\s+/u

function withOpener(sentence: string, opener: string, topic: string): string {
  const rest = sentence.replace(OPENER, '')
  return `${opener} ${continueSentence(rest, topic)}`
}

/** Indices 0..n-1 in a seeded random order. */
const shuffledIndices = (n: number, rng: Rng): number[] => rng.shuffle(Array.from({ length: n }, (_, i) => i))

function endsStatement(sentence: string): boolean {
  return /[.]$/.test(sentence)
}

// ---------------------------------------------------------------- selective

function addDetails(body: string[], count: number, c: StyleContext): string[] {
  const out = [...body]
  const details = c.rng.shuffle(c.templates.details)
  let used = 0
  for (const i of shuffledIndices(out.length, c.rng)) {
    if (used >= count || used >= details.length) break
    const sentence = out[i] as string
    if (!endsStatement(sentence) || sentence.includes(':')) continue
    out[i] = `${sentence.slice(0, -1)}, ${details[used]}.`
    used++
  }
  return out
}

/** Insert each extra sentence after a different original sentence (spread out, never before the first). */
function insertAfterRandom(body: string[], extra: readonly string[], c: StyleContext): string[] {
  if (extra.length === 0) return body
  const slots = shuffledIndices(body.length, c.rng)
  const after = new Map<number, string[]>()
  extra.forEach((sentence, k) => {
    const slot = slots[k % slots.length] as number
    after.set(slot, [...(after.get(slot) ?? []), sentence])
  })
  return body.flatMap((sentence, i) => [sentence, ...(after.get(i) ?? [])])
}

function mergeSentences(body: string[], count: number, c: StyleContext): string[] {
  const out = [...body]
  for (let merged = 0; merged < count && out.length > 2; merged++) {
    const i = c.rng.int(0, out.length - 2)
    const first = out[i] as string
    const second = out[i + 1] as string
    if (!endsStatement(first)) continue
    const link = c.rng.pick(c.templates.links)
    out.splice(i, 2, `${first.slice(0, -1)}${link} ${continueSentence(second.replace(OPENER, ''), c.topic)}`)
  }
  return out
}

function applySelective(draft: Draft, preset: TextStyle['selective'], c: StyleContext): Draft {
  const { rng, templates, intensity } = c
  switch (preset) {
    case 'lightEnhancement':
      return { ...draft, body: addDetails(draft.body, times(1, intensity), c) }
    case 'standardEnhancement':
      return { ...draft, body: addDetails(draft.body, times(2, intensity), c) }
    case 'fullEnhancement': {
      const detailed = addDetails(draft.body, times(3, intensity), c)
      return { ...draft, body: insertAfterRandom(detailed, rng.shuffle(templates.supports).slice(0, times(1, intensity)), c) }
    }
    case 'personalityFocus':
      return { ...draft, body: insertAfterRandom(draft.body, rng.shuffle(templates.asides).slice(0, times(2, intensity)), c) }
    case 'fluidityFocus': {
      const merged = mergeSentences(draft.body, times(1, intensity), c)
      const transitions = rng.shuffle(templates.transitions)
      const targets = shuffledIndices(merged.length, rng).filter((i) => i > 0).slice(0, times(1, intensity))
      return { ...draft, body: merged.map((s, i) => (targets.includes(i) ? withOpener(s, transitions[targets.indexOf(i)] as string, c.topic) : s)) }
    }
  }
}

// ---------------------------------------------------------------- pattern breaking

function addQuestions(draft: Draft, count: number, c: StyleContext): Draft {
  const questions = c.rng.shuffle(c.templates.questions).slice(0, count)
  const body = [...draft.body]
  for (const question of questions) body.splice(c.rng.int(1, body.length - 1), 0, question)
  return { ...draft, body }
}

function varyConnectors(draft: Draft, count: number, c: StyleContext): Draft {
  const connectors = c.rng.shuffle(c.templates.connectors)
  const targets = shuffledIndices(draft.body.length, c.rng).filter((i) => i > 0 && endsStatement(draft.body[i] as string)).slice(0, count)
  return { ...draft, body: draft.body.map((s, i) => (targets.includes(i) ? withOpener(s, connectors[targets.indexOf(i) % connectors.length] as string, c.topic) : s)) }
}

function applyPatternBreaking(draft: Draft, mode: TextStyle['patternBreaking'], c: StyleContext): Draft {
  switch (mode) {
    case 'none':
      return draft
    case 'syntaxFocus':
      return addQuestions(draft, times(1, c.intensity), c)
    case 'connectorsFocus':
      return varyConnectors(draft, times(2, c.intensity), c)
    case 'adaptive':
      return varyConnectors(addQuestions(draft, 1, c), times(1, c.intensity), c)
  }
}

// ---------------------------------------------------------------- adversarial

function replaceAll(text: string, pairs: readonly (readonly [string, string])[]): string {
  let out = text
  for (const [from, to] of pairs) {
    out = out.split(from).join(to)
    // Same rewrite when the phrase starts a sentence with a capital.
    if (from.charAt(0) !== capitalize(from).charAt(0)) out = out.split(capitalize(from)).join(capitalize(to))
  }
  return out
}

/** Split the longest statement at its first ":" or ", " so sentence lengths vary. */
function splitLongest(body: string[], topic: string): string[] {
  let longest = -1
  for (let i = 0; i < body.length; i++) {
    if ((body[i] as string).length > (body[longest] ?? '').length) longest = i
  }
  const sentence = body[longest] ?? ''
  const cut = sentence.search(/[:,]\s/)
  if (cut < 12 || cut > sentence.length - 12) return body
  const first = `${sentence.slice(0, cut).trimEnd()}.`
  const second = sentence.slice(cut + 1).trim()
  return [...body.slice(0, longest), first, capitalize(continueSentence(second, topic)), ...body.slice(longest + 1)]
}

function applyAdversarial(draft: Draft, level: TextStyle['adversarial'], c: StyleContext): Draft {
  if (level === 'none') return draft
  const formalCount = c.templates.plainWords.filter(([from]) => draft.body.some((s) => s.includes(from) || s.includes(capitalize(from)))).length
  const effective = level === 'adaptive' ? (formalCount >= 2 ? 'standard' : 'light') : level
  let body = draft.body.map((s) => replaceAll(s, c.templates.plainWords))
  if (effective === 'standard' || effective === 'heavy') body = splitLongest(body, c.topic)
  if (effective === 'heavy') body = insertAfterRandom(body, c.rng.shuffle(c.templates.fragments).slice(0, times(2, c.intensity)), c)
  return { ...draft, body }
}

// ---------------------------------------------------------------- human simulation

function applyHumanSimulation(draft: Draft, mode: TextStyle['humanSimulation'], c: StyleContext): Draft {
  if (mode === 'none') return draft
  const effective = mode === 'adaptive' ? (c.rng.chance(0.5) ? 'lightSimulation' : 'personalityFocus') : mode
  const spoken = (s: string): string => replaceAll(s, c.templates.spokenForms)
  let body = draft.body.map(spoken)
  const fillers = c.rng.shuffle(c.templates.fillers)
  // Only full sentences get a filler: "Well, simple as that." reads like a glitch.
  const isFullStatement = (s: string): boolean => !OPENER.test(s) && endsStatement(s) && s.split(/\s+/).length >= 6
  const fillerTargets = shuffledIndices(body.length, c.rng).filter((i) => isFullStatement(body[i] as string)).slice(0, times(1, c.intensity))
  body = body.map((s, i) => (fillerTargets.includes(i) ? `${fillers[fillerTargets.indexOf(i) % fillers.length]} ${continueSentence(s, c.topic)}` : s))
  if (effective === 'personalityFocus') body = insertAfterRandom(body, c.rng.shuffle(c.templates.reactions).slice(0, times(2, c.intensity)), c)
  return { hook: spoken(draft.hook), body, cta: spoken(draft.cta) }
}

/** Apply every style dimension, in an order where later steps do not undo earlier ones. */
export function applyStyle(draft: Draft, style: TextStyle, context: Omit<StyleContext, 'intensity'>): Draft {
  const c: StyleContext = { ...context, intensity: style.intensity }
  let out = applySelective(draft, style.selective, c)
  out = applyPatternBreaking(out, style.patternBreaking, c)
  // Adversarial before human simulation: contractions would otherwise hide the stock phrases it rewrites.
  out = applyAdversarial(out, style.adversarial, c)
  return applyHumanSimulation(out, style.humanSimulation, c)
}
