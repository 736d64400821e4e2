import { permanent } from '../errors'
import { splitSentences } from '../render/cues'
import type { StudioServices } from '../services'
import { countWords, WORDS_PER_SECOND } from '../../../shared/storyboard'

/** A scene says one or two sentences: about this many words, so each picture stays a few seconds. */
const WORDS_PER_SCENE = 22

/**
 * The text provider writes a narration for the idea; it is cut into scenes at sentence ends
 * (paragraphs first, when the text has them), each scene a sentence or two.
 */
export async function scenesFromIdea(
  services: StudioServices,
  o: { idea: string; language: 'en' | 'fr'; lengthSec: number },
  signal: AbortSignal = new AbortController().signal
): Promise<string[]> {
  const words = Math.round(o.lengthSec * WORDS_PER_SECOND)
  const result = await services.providers().text.generate(
    {
      system:
        'You write narration scripts for short videos, scene by scene: a hook, vivid sentences, a call to action. ' +
        'Plain spoken text only: no stage directions, no emoji, no markdown. One paragraph per scene.',
      prompt: `Write a narration of about ${words} words about: ${o.idea}`,
      topic: o.idea,
      language: o.language,
      format: 'script',
      maxTokens: Math.max(200, words * 3),
      seed: o.idea
    },
    { signal }
  )
  const scenes = splitIntoScenes(result.text)
  if (scenes.length === 0) throw permanent(`${result.provider} returned an empty narration`)
  return scenes
}

/** Paragraphs, each cut into groups of whole sentences of about WORDS_PER_SCENE words. */
export function splitIntoScenes(text: string): string[] {
  const scenes: string[] = []
  for (const paragraph of text.split(/\n\s*\n/).map((p) => p.replace(/\s+/g, ' ').trim()).filter(Boolean)) {
    let current = ''
    for (const sentence of splitSentences(paragraph)) {
      const next = current ? `${current} ${sentence}` : sentence
      if (current && countWords(next) > WORDS_PER_SCENE) {
        scenes.push(current)
        current = sentence
      } else current = next
    }
    if (current) scenes.push(current)
  }
  return scenes
}

/** The same narration said another way, about as long. */
export async function rewriteNarration(
  services: StudioServices,
  o: { narration: string; title: string; language: 'en' | 'fr'; seed: number },
  signal: AbortSignal = new AbortController().signal
): Promise<string> {
  const topic = o.narration.trim() || o.title
  const target = Math.max(8, countWords(o.narration))
  const result = await services.providers().text.generate(
    {
      system: 'You rewrite one scene of a video narration: same meaning, fresher words, spoken style, about as long. Plain text only.',
      prompt: `Rewrite this narration (${target} words or so): ${topic}`,
      topic,
      language: o.language,
      format: 'script',
      maxTokens: Math.max(120, target * 3),
      seed: `${topic}#${o.seed}`
    },
    { signal }
  )
  // Keep whole sentences up to about the original length (an offline template writes a whole script).
  let out = ''
  for (const sentence of splitSentences(result.text.replace(/\s+/g, ' ').trim())) {
    if (out && countWords(`${out} ${sentence}`) > target * 1.3) break
    out = out ? `${out} ${sentence}` : sentence
  }
  if (!out.trim()) throw permanent(`${result.provider} returned an empty narration`)
  return out
}
