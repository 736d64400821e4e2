/**
 * Turning a narration script into timed subtitle cues. Pure functions, no I/O.
 *
 * Cues follow common subtitling practice: one sentence (or a part of it) per cue, at most
 * `maxLines` lines of at most `maxCharsPerLine` characters, lines balanced rather than greedy,
 * and no cue so short that it flashes (`minCueSec`) unless the audio itself is that short.
 */

export interface WordTiming {
  text: string
  start: number
  end: number
}

export interface Cue {
  start: number
  end: number
  /** Lines separated by "\n". */
  text: string
  /** Timed words of this cue, in order (from the TTS, or spread over the cue for karaoke). */
  words?: WordTiming[]
}

export interface CueLayout {
  maxCharsPerLine: number
  maxLines: number
  minCueSec: number
}

export const DEFAULT_CUE_LAYOUT: CueLayout = { maxCharsPerLine: 42, maxLines: 2, minCueSec: 0.8 }

export interface CueSource {
  text: string
  durationSec: number
  /** Word timings from the TTS, when it gives them; they win over proportional timing. */
  words?: readonly WordTiming[]
}

export function buildCues(source: CueSource, layout: Partial<CueLayout> = {}): Cue[] {
  const full = { ...DEFAULT_CUE_LAYOUT, ...layout }
  if (source.words && source.words.length > 0) return cuesFromWords(source.words, full, source.durationSec)
  return cuesFromText(source.text, source.durationSec, full)
}

/** A word plus any punctuation that must stay glued to it ("Bonjour !", "« Oui »"). */
interface Unit {
  text: string
  endsSentence: boolean
  /** Index range in the original token list, end exclusive. */
  from: number
  to: number
}

const CLOSING_PUNCTUATION = /^[!?:;»”’.,…)\]}%]+$/u
const OPENING_PUNCTUATION = /^[«“‘([{¿¡]+$/u
const SENTENCE_END = /[.!?…]+["»”’)\]]*$/u
/** "U.S.", "e.g.", "M.": initials whose full stops do not end a sentence. */
const INITIALS = /^["«“(]*(?:\p{L}\.)+$/u
const ABBREVIATION = /^(?:mr|mrs|ms|dr|prof|st|jr|sr|vs|approx|mme|mlle|env|cf|ex)\.$/iu

/** Whether a word (with its glued punctuation) ends a sentence, given the word after it. */
function endsSentence(text: string, next: string | undefined): boolean {
  if (!SENTENCE_END.test(text)) return false
  if (/[!?…]["»”’)\]]*$/u.test(text)) return true
  const word = text.split(/\s+/).pop() ?? text
  if (INITIALS.test(word) || ABBREVIATION.test(word)) return false
  // "etc." ends a sentence only when a new one follows, as in adapt().
  return !/^etc\.$/iu.test(word) || next === undefined || /^\p{Lu}/u.test(next)
}

export function toUnits(tokens: readonly string[]): Unit[] {
  const units: Unit[] = []
  let pendingOpen: { text: string; from: number } | undefined
  tokens.forEach((raw, index) => {
    const token = raw.trim()
    if (!token) return
    const previous = units[units.length - 1]
    if (CLOSING_PUNCTUATION.test(token) && previous && !pendingOpen) {
      previous.text += ` ${token}`
      previous.to = index + 1
      previous.endsSentence = endsSentence(previous.text, tokens[index + 1])
      return
    }
    if (OPENING_PUNCTUATION.test(token)) {
      pendingOpen = pendingOpen ? { text: `${pendingOpen.text} ${token}`, from: pendingOpen.from } : { text: token, from: index }
      return
    }
    const text = pendingOpen ? `${pendingOpen.text} ${token}` : token
    units.push({ text, endsSentence: endsSentence(text, tokens[index + 1]), from: pendingOpen?.from ?? index, to: index + 1 })
    pendingOpen = undefined
  })
  if (pendingOpen) units.push({ text: pendingOpen.text, endsSentence: false, from: pendingOpen.from, to: tokens.length })
  return units
}

/** Length of units i..j-1 laid out on one line. */
function spanLength(units: readonly Unit[], i: number, j: number): number {
  let n = Math.max(0, j - i - 1)
  for (let k = i; k < j; k++) n += [...units[k]!.text].length
  return n
}

/**
 * Splits are scored by the sum of squared part lengths (balanced parts win) plus a penalty for
 * every split that is not right after a comma, colon or semicolon: "la suivent, | sentent le
 * pollen" reads better than "la suivent, sentent | le pollen" even if slightly less balanced.
 */
const PAUSE_END = /[,;:]["»”’)]*$/u

function endsOnPause(units: readonly Unit[], j: number): boolean {
  return PAUSE_END.test(units[j - 1]!.text)
}

function splitCost(units: readonly Unit[], a: number, b: number, end: number, penalty: number): number {
  const length = spanLength(units, a, b)
  return length * length + (b < end && !endsOnPause(units, b) ? penalty : 0)
}

/** Lines a greedy wrap would need; the lower bound we then balance. */
function greedyLineCount(units: readonly Unit[], i: number, j: number, maxChars: number): number {
  let lines = 0
  let width = -1
  for (let k = i; k < j; k++) {
    const w = [...units[k]!.text].length
    if (width >= 0 && width + 1 + w <= maxChars) width += 1 + w
    else {
      lines++
      width = w
    }
  }
  return lines
}

/**
 * Split units[i..j) into exactly `parts` contiguous groups, minimising the total cost.
 * Small inputs (a sentence), so a plain O(parts·n²) dynamic programme is enough.
 * Returns the group boundaries, or undefined when no split has a finite cost.
 */
function partition(
  i: number,
  j: number,
  parts: number,
  cost: (a: number, b: number) => number
): number[] | undefined {
  const n = j - i
  if (parts > n) return undefined
  // best[p][k]: minimal total cost splitting the first k units into p groups.
  const best: number[][] = Array.from({ length: parts + 1 }, () => new Array<number>(n + 1).fill(Infinity))
  const choice: number[][] = Array.from({ length: parts + 1 }, () => new Array<number>(n + 1).fill(-1))
  best[0]![0] = 0
  for (let p = 1; p <= parts; p++) {
    for (let k = p; k <= n; k++) {
      for (let s = p - 1; s < k; s++) {
        const prev = best[p - 1]![s]!
        if (prev === Infinity) continue
        const value = prev + cost(i + s, i + k)
        // Strict "<" keeps the earliest split on ties: shorter top line, the usual subtitle shape.
        if (value < best[p]![k]!) {
          best[p]![k] = value
          choice[p]![k] = s
        }
      }
    }
  }
  if (best[parts]![n] === Infinity) return undefined
  const bounds: number[] = [j]
  let k = n
  for (let p = parts; p > 0; p--) {
    k = choice[p]![k]!
    bounds.unshift(i + k)
  }
  return bounds
}

/** Balanced lines for one cue. A single word longer than a line is left to overflow. */
function wrapBalanced(units: readonly Unit[], i: number, j: number, layout: CueLayout): string[] {
  const lineCount = greedyLineCount(units, i, j, layout.maxCharsPerLine)
  const lines = Math.max(1, Math.min(lineCount, j - i))
  // Inside a cue a mid-phrase line break matters less than between cues: smaller penalty.
  const max = layout.maxCharsPerLine
  const penalty = (max * max) / 16
  // A line over the limit is only allowed when it is a single (overlong) word.
  const lineCost = (a: number, b: number) =>
    b - a > 1 && spanLength(units, a, b) > max ? Infinity : splitCost(units, a, b, j, penalty)
  const bounds = partition(i, j, lines, lineCost) ?? [i, j]
  const out: string[] = []
  for (let k = 0; k + 1 < bounds.length; k++) {
    out.push(units.slice(bounds[k], bounds[k + 1]).map((u) => u.text).join(' '))
  }
  return out
}

interface Chunk {
  lines: string[]
  /** Unit index range, end exclusive. */
  from: number
  to: number
}

/** Group units into cue-sized chunks: sentences, merged when short, split evenly when long. */
export function chunkUnits(units: readonly Unit[], layout: CueLayout): Chunk[] {
  const sentences: Array<[number, number]> = []
  let start = 0
  units.forEach((u, k) => {
    if (u.endsSentence || k === units.length - 1) {
      sentences.push([start, k + 1])
      start = k + 1
    }
  })

  // Very short sentences ("Oui.") would flash by; keep them with a neighbour when both fit one line.
  const groups: Array<[number, number]> = []
  for (const [a, b] of sentences) {
    const last = groups[groups.length - 1]
    if (last && spanLength(units, last[0], b) <= layout.maxCharsPerLine) last[1] = b
    else groups.push([a, b])
  }

  const chunks: Chunk[] = []
  for (const [a, b] of groups) {
    const needed = greedyLineCount(units, a, b, layout.maxCharsPerLine)
    const penalty = (layout.maxCharsPerLine * layout.maxCharsPerLine) / 4
    const fits = (x: number, y: number) =>
      greedyLineCount(units, x, y, layout.maxCharsPerLine) <= layout.maxLines ? splitCost(units, x, y, b, penalty) : Infinity
    let bounds: number[] | undefined
    for (let parts = Math.ceil(needed / layout.maxLines); parts <= b - a && !bounds; parts++) {
      bounds = partition(a, b, parts, fits)
    }
    bounds ??= units.slice(a, b).map((_, k) => a + k).concat(b)
    for (let k = 0; k + 1 < bounds.length; k++) {
      const from = bounds[k]!
      const to = bounds[k + 1]!
      chunks.push({ lines: wrapBalanced(units, from, to, layout), from, to })
    }
  }
  return chunks
}

export function splitWords(text: string): string[] {
  return text.split(/\s+/u).filter(Boolean)
}

/** Without word timings: cues share the audio in proportion to their visible characters. */
export function cuesFromText(text: string, durationSec: number, layout: CueLayout = DEFAULT_CUE_LAYOUT): Cue[] {
  const units = toUnits(splitWords(text))
  if (units.length === 0 || !(durationSec > 0)) return []
  const chunks = chunkUnits(units, layout)
  const weights = chunks.map((c) => c.lines.join('').replace(/\s/gu, '').length || 1)
  const spans = spreadDurations(weights, durationSec, layout.minCueSec)
  return chunks.map((c, k) => ({ start: spans[k]!.start, end: spans[k]!.end, text: c.lines.join('\n') }))
}

/**
 * Contiguous spans covering [0, total], proportional to weights, each at least `minSec` when
 * the total allows it. Spans below the minimum are pinned to it and the rest is re-shared until
 * nothing changes (at most n rounds).
 */
export function spreadDurations(weights: readonly number[], total: number, minSec: number): Array<{ start: number; end: number }> {
  const n = weights.length
  const durations = new Array<number>(n).fill(0)
  const pinned = new Array<boolean>(n).fill(false)
  const feasible = n * minSec <= total
  for (let round = 0; round <= n; round++) {
    const free = weights.reduce((s, w, k) => (pinned[k] ? s : s + w), 0)
    const remaining = total - pinned.filter(Boolean).length * minSec
    let changed = false
    for (let k = 0; k < n; k++) {
      if (pinned[k]) continue
      durations[k] = free > 0 ? (weights[k]! / free) * remaining : remaining / n
      if (feasible && durations[k]! < minSec) {
        pinned[k] = true
        durations[k] = minSec
        changed = true
      }
    }
    if (!changed) break
  }
  const spans: Array<{ start: number; end: number }> = []
  let t = 0
  for (let k = 0; k < n; k++) {
    const end = k === n - 1 ? total : t + durations[k]!
    spans.push({ start: t, end })
    t = end
  }
  return spans
}

/** Gaps shorter than this between two cues are bridged, so subtitles do not blink between words. */
const BRIDGE_GAP_SEC = 0.6

/** With TTS word timings: each cue starts on its first word and ends on its last. */
export function cuesFromWords(
  words: readonly WordTiming[],
  layout: CueLayout = DEFAULT_CUE_LAYOUT,
  durationSec?: number
): Cue[] {
  const sorted = [...words].filter((w) => w.text.trim()).sort((a, b) => a.start - b.start)
  const units = toUnits(sorted.map((w) => w.text))
  if (units.length === 0) return []
  const unitTimings: WordTiming[] = units.map((u) => ({
    text: u.text,
    start: sorted[u.from]!.start,
    end: Math.max(...sorted.slice(u.from, u.to).map((w) => w.end))
  }))
  const chunks = chunkUnits(units, layout)
  const cues: Cue[] = chunks.map((c) => {
    const timed = unitTimings.slice(c.from, c.to)
    return { start: timed[0]!.start, end: timed[timed.length - 1]!.end, text: c.lines.join('\n'), words: timed }
  })
  const limit = durationSec ?? Math.max(...cues.map((c) => c.end))
  cues.forEach((cue, k) => {
    const next = cues[k + 1]
    const ceiling = next ? next.start : Math.max(limit, cue.end)
    if (next && next.start - cue.end <= BRIDGE_GAP_SEC) cue.end = next.start
    if (cue.end - cue.start < layout.minCueSec) cue.end = Math.min(cue.start + layout.minCueSec, ceiling)
    if (cue.end - cue.start < layout.minCueSec) {
      const floor = k > 0 ? cues[k - 1]!.end : 0
      cue.start = Math.max(floor, cue.end - layout.minCueSec)
    }
  })
  return cues
}

// ---------------------------------------------------------------- written text, spoken timing


/**
 * Sentences of a script, split the same way for the text as written ("In 2024, 25% of U.S.
 * adults…") and as adapted for speech ("In two thousand twenty-four, … U. S. adults…"), so the
 * two lists line up: initials and common abbreviations do not end a sentence, and a line break
 * does unless the line stops on a comma, colon or semicolon (adapt() turns it into a full stop).
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = []
  let current: string[] = []
  const flush = (): void => {
    if (current.length) sentences.push(current.join(' '))
    current = []
  }
  for (const line of text.split(/\r?\n/)) {
    const tokens = splitWords(line)
    tokens.forEach((token, k) => {
      current.push(token)
      if (endsSentence(token, tokens[k + 1])) flush()
    })
    if (current.length && !/[,;:]$/.test(current[current.length - 1]!)) flush()
  }
  flush()
  return sentences
}

interface Span {
  start: number
  end: number
}

/** When each spoken sentence is heard: from the TTS's word timings if they match the text, else by length. */
function spokenSpans(sentences: readonly string[], durationSec: number, words: readonly WordTiming[] | undefined): Span[] {
  const counts = sentences.map((s) => splitWords(s).length)
  const timed = words?.filter((w) => w.text.trim()).sort((a, b) => a.start - b.start)
  if (timed && timed.length === counts.reduce((a, b) => a + b, 0)) {
    let i = 0
    return counts.map((n) => {
      const span = { start: timed[i]!.start, end: timed[i + n - 1]!.end }
      i += n
      return span
    })
  }
  // What takes time to say is the spoken text ("two thousand twenty-four"), not the written "2024".
  return spreadDurations(sentences.map((s) => s.replace(/\s/gu, '').length || 1), durationSec, 0)
}

/** The TTS's timed words cut by spoken sentence, when they match the text word for word. */
function timedBySentence(sentences: readonly string[], words: readonly WordTiming[] | undefined): WordTiming[][] | undefined {
  const counts = sentences.map((s) => splitWords(s).length)
  const timed = words?.filter((w) => w.text.trim()).sort((a, b) => a.start - b.start)
  if (!timed || timed.length !== counts.reduce((a, b) => a + b, 0)) return undefined
  let i = 0
  return counts.map((n) => timed.slice(i, (i += n)))
}

/**
 * Word timings for the text as written, from the timing of the text as spoken: captions then
 * show "25%" and "U.S." while following the narration, which says "twenty-five percent".
 * Sentence k of one is sentence k of the other (adapt() rewrites inside sentences); within a
 * sentence, written words share its time in proportion to their length.
 * Undefined when the sentences do not correspond one to one.
 */
export function timeWrittenBySpoken(
  written: string,
  spoken: string,
  durationSec: number,
  spokenWords?: readonly WordTiming[]
): WordTiming[] | undefined {
  const writtenSentences = splitSentences(written)
  const spokenSentences = splitSentences(spoken)
  if (writtenSentences.length === 0 || writtenSentences.length !== spokenSentences.length || !(durationSec > 0)) return undefined
  const spans = spokenSpans(spokenSentences, durationSec, spokenWords)
  const spokenBySentence = timedBySentence(spokenSentences, spokenWords)
  return writtenSentences.flatMap((sentence, k) => {
    const span = spans[k]!
    const words = splitWords(sentence)
    // Same number of words as said (no number or initials rewritten): each word keeps its own real timing.
    const said = spokenBySentence?.[k]
    if (said && said.length === words.length) return words.map((text, j) => ({ text, start: said[j]!.start, end: said[j]!.end }))
    const shares = spreadDurations(words.map((w) => [...w].length + 1), Math.max(0, span.end - span.start), 0)
    return words.map((text, j) => ({ text, start: span.start + shares[j]!.start, end: span.start + shares[j]!.end }))
  })
}
