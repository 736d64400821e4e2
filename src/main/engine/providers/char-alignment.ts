/**
 * Character timings (what ElevenLabs' with-timestamps endpoint returns) turned into word
 * timings: a word is a run of non-space characters, starting when its first character starts
 * and ending when its last one ends. Punctuation stays glued to its word ("Bonjour !" keeps the
 * French space: "!" alone is a word, which the caption builder glues back as it does for text).
 */
import type { WordTiming } from './types'

export interface CharacterAlignment {
  characters: readonly string[]
  characterStartTimesSeconds: readonly number[]
  characterEndTimesSeconds: readonly number[]
}

export function wordsFromAlignment(alignment: CharacterAlignment, offsetSec = 0): WordTiming[] {
  const { characters, characterStartTimesSeconds: starts, characterEndTimesSeconds: ends } = alignment
  const n = Math.min(characters.length, starts.length, ends.length)
  const words: WordTiming[] = []
  let current: { text: string; start: number; end: number } | null = null
  for (let i = 0; i < n; i++) {
    const c = characters[i]!
    if (/^\s*$/u.test(c)) {
      if (current) words.push(current)
      current = null
      continue
    }
    const start = starts[i]! + offsetSec
    const end = Math.max(ends[i]! + offsetSec, start)
    if (current) {
      current.text += c
      current.end = Math.max(current.end, end)
    } else current = { text: c, start, end }
  }
  if (current) words.push(current)
  return words.map((w) => ({ text: w.text, start: round3(w.start), end: round3(w.end) }))
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000
