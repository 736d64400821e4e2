/**
 * Short phrases for the visuals of a video, taken from its script: one per image, in script
 * order, so each card matches what is being said while it is on screen.
 */
export function phrasesFor(script: string, idea: string, count: number): string[] {
  const sentences = script
    .split(/(?<=[.!?…])\s+|\n+/)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s.length > 2)
  if (sentences.length === 0) return Array.from({ length: count }, () => shorten(idea))
  const out: string[] = []
  for (let n = 0; n < count; n++) {
    // Spread the picks over the whole script rather than taking the first few sentences.
    const index = Math.min(sentences.length - 1, Math.floor((n * sentences.length) / count))
    out.push(shorten(sentences[index]!))
  }
  return out
}

function shorten(sentence: string, max = 42): string {
  const clean = sentence.replace(/[.!?…]+$/, '')
  if (clean.length <= max) return clean
  const cut = clean.slice(0, max)
  return cut.slice(0, Math.max(cut.lastIndexOf(' '), 24)) + '…'
}
