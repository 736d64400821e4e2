import { describe, expect, it } from 'vitest'
import { DEMO_IDEAS } from '../../src/cli/demo'
import { OfflineTextProvider, readIdea } from '../../src/main/engine/providers/offline-text'
import type { TextStyle } from '../../src/main/engine/providers/text-style'

/**
 * Ideas as people type them — questions, statements, subjects, English and French — must read
 * well in every offline template: the README's demo is the first text a user sees.
 */
const IDEAS: ReadonlyArray<readonly [string, 'en' | 'fr']> = [
  ...DEMO_IDEAS.map((d) => [d.idea, d.language] as const),
  ['Why octopuses have three hearts', 'en'],
  ['How do vaccines work?', 'en'],
  ['How to bake sourdough bread', 'en'],
  ['What is dark matter?', 'en'],
  ['Can dogs see colour?', 'en'],
  ['Who invented the telephone', 'en'],
  ['How many hearts does an octopus have?', 'en'],
  ['Octopuses have three hearts', 'en'],
  ['Sleep is a superpower', 'en'],
  ['Home composting', 'en'],
  ['The history of the Eiffel Tower', 'en'],
  ['NASA and the Moon', 'en'],
  ['Pourquoi le ciel est bleu ?', 'fr'],
  ['Comment fonctionnent les vaccins ?', 'fr'],
  ['Qu’est-ce que la matière noire ?', 'fr'],
  ['Est-ce que le café déshydrate ?', 'fr'],
  ['Le pain au levain se conserve mieux', 'fr'],
  ['Les abeilles sont essentielles', 'fr'],
  ['Le compost à la maison', 'fr']
]

const STYLES: ReadonlyArray<Partial<TextStyle>> = [
  {},
  { selective: 'fullEnhancement', adversarial: 'heavy', intensity: 1.5 },
  { selective: 'fluidityFocus', patternBreaking: 'connectorsFocus', intensity: 1.5 },
  { selective: 'personalityFocus', patternBreaking: 'adaptive', humanSimulation: 'personalityFocus', intensity: 1.5 }
]

const provider = new OfflineTextProvider()
/** The request the video pipeline's script step makes. */
const script = async (idea: string, language: 'en' | 'fr', style: Partial<TextStyle> = {}, format: 'script' | 'title' = 'script') =>
  (
    await provider.generate(
      { prompt: `Write a 30 to 45 second narration script about: ${idea}`, topic: idea, language, seed: idea, style, format },
      { signal: new AbortController().signal }
    )
  ).text

/** Sentences end on . ! ? … followed by a capital, a digit or the end: "? has" stays inside one. */
const sentences = (text: string) => text.split(/(?<=[.!?…])\s+(?!\p{Ll})|\n+/u).map((s) => s.trim()).filter(Boolean)
const QUESTION_WORD = /(?<=\S\s)(?:Why|How|What|When|Where|Who|Which|Can|Is|Pourquoi|Comment|Quand|Où|Qui|Quel|Quelle|Combien|Qu’est-ce|Est-ce)(?=[\s’',?]|$)/u
const CAPITALISED_ARTICLE = /(?<=\S\s)(?:The|A|An|Le|La|Les|Un|Une|Des)\s/u

function problems(text: string): string[] {
  return sentences(text).flatMap((s) => [
    ...(QUESTION_WORD.test(s) ? [`question word mid-sentence: ${s}`] : []),
    ...(/\?\s*[,;:\p{Ll}]/u.test(s) ? [`"?" inside a sentence: ${s}`] : []),
    ...(CAPITALISED_ARTICLE.test(s) ? [`capitalised article mid-sentence: ${s}`] : [])
  ])
}

describe('offline scripts read well whatever the idea looks like', () => {
  it('never puts a question mid-sentence, in any template or style, in English and French', async () => {
    const found: string[] = []
    for (const [idea, language] of IDEAS) {
      for (const style of STYLES) found.push(...problems(await script(idea, language, style)).map((p) => `${idea} → ${p}`))
      found.push(...problems(await script(idea, language, {}, 'title')).map((p) => `${idea} (title) → ${p}`))
    }
    expect(found).toEqual([])
  })

  it('is still about the idea', async () => {
    for (const [idea, language] of IDEAS) {
      const text = (await script(idea, language)).toLowerCase()
      const start = idea.toLowerCase().replace(/[?\s]+$/, '').slice(0, 20)
      expect(text, idea).toContain(start)
    }
  })

  it('writes the README demo ideas as a person would', async () => {
    const octopus = await script('Why octopuses have three hearts', 'en')
    expect(octopus).toMatch(/(?:wondered|Here is|find out|can explain|work out|this is) why octopuses have three hearts/)
    expect(octopus).not.toMatch(/utilize why|get going with why|Why octopuses have three hearts (?:has|becomes|does)/i)
    expect(await script('How do vaccines work?', 'en')).toMatch(/^How do vaccines work\? [A-Z]/)
    expect(await script('Le secret d’un bon pain au levain', 'fr')).toContain('le secret d’un bon pain au levain')
    expect(await script('Why octopuses have three hearts', 'en', {}, 'title')).toMatch(/^Why octopuses have three hearts(?:, explained)?$/)
  })
})

describe('readIdea', () => {
  it('tells questions, statements and subjects apart and gives a mid-sentence form', () => {
    expect(readIdea('Why octopuses have three hearts')).toMatchObject({ kind: 'question', phrase: 'why octopuses have three hearts', heading: 'Why octopuses have three hearts' })
    expect(readIdea('How do vaccines work?')).toMatchObject({ kind: 'directQuestion', sentence: 'How do vaccines work?', heading: 'How do vaccines work?' })
    expect(readIdea('is coffee bad for you')).toMatchObject({ kind: 'directQuestion', sentence: 'Is coffee bad for you?' })
    expect(readIdea('Octopuses have three hearts.')).toMatchObject({ kind: 'claim', phrase: 'octopuses have three hearts' })
    expect(readIdea('Things you can do with a lemon')).toMatchObject({ kind: 'subject', phrase: 'things you can do with a lemon' })
    expect(readIdea('Pourquoi le ciel est bleu ?', 'fr')).toMatchObject({ kind: 'question', phrase: 'pourquoi le ciel est bleu', heading: 'Pourquoi le ciel est bleu ?' })
    expect(readIdea('Le ciel est-il bleu ?', 'fr')).toMatchObject({ kind: 'directQuestion', sentence: 'Le ciel est-il bleu ?' })
    expect(readIdea('Apprendre à se détendre', 'fr')).toMatchObject({ kind: 'subject', phrase: 'apprendre à se détendre' })
  })

  it('keeps names and acronyms as written', () => {
    expect(readIdea('NASA and the Moon').phrase).toBe('NASA and the Moon')
    expect(readIdea('New York in winter').phrase).toBe('New York in winter')
    expect(readIdea('Einstein’s theory of relativity').phrase).toBe('Einstein’s theory of relativity')
    expect(readIdea('I have a dream').phrase).toBe('I have a dream')
    expect(readIdea('Will Smith’s best films').kind).toBe('subject')
  })
})
