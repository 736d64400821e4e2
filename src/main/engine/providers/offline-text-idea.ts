/**
 * What kind of phrase an idea is, and how to write it inside a sentence. People type ideas as
 * titles — "Why octopuses have three hearts", "Pourquoi le ciel est bleu ?", "Sourdough bread",
 * "How do vaccines work?" — and pasting that into "Experts utilize {topic}…" gives "Experts
 * utilize Why octopuses have three hearts…". So the offline generator first reads the idea:
 * a noun phrase fits the general templates, a question or a statement gets explainer templates
 * built for it, and every kind gets a mid-sentence form. Heuristics on a few word lists, no NLP:
 * good for the ideas people actually type, documented where they give up.
 */
import type { Language } from './types'

export type IdeaKind =
  /** A noun phrase: "home composting", "le secret d’un bon pain". Fits "…about {topic}". */
  | 'subject'
  /** An indirect question: "why octopuses have three hearts". Fits "Here is {topic}." */
  | 'question'
  /** A direct question: "How do vaccines work?". Only reads well as a sentence of its own. */
  | 'directQuestion'
  /** A statement: "octopuses have three hearts". Fits "Believe it or not, {topic}." */
  | 'claim'

export interface Idea {
  kind: IdeaKind
  /** Mid-sentence form: no final punctuation, first letter lower-cased unless it starts a name. */
  phrase: string
  /** The idea as a sentence of its own: "How do vaccines work?", "Pourquoi le ciel est bleu ?". */
  sentence: string
  /** A short title: the idea as typed, tidied (capital first letter, "?" kept for questions). */
  heading: string
}

interface Words {
  question: ReadonlySet<string>
  /** Auxiliaries and common finite verbs: a sign of a question (first) or a statement (later). */
  verbs: ReadonlySet<string>
  /** Words that start a relative clause ("things you can do"): the verb after them is not the main one. */
  relatives: ReadonlySet<string>
}

const set = (words: string): ReadonlySet<string> => new Set(words.split(/\s+/))

const EN: Words = {
  question: set('why how what when where who whom whose which'),
  verbs: set(
    'am is are was were do does did can could will would should shall may might must has have had ' +
      "isn't aren't wasn't weren't don't doesn't didn't can't couldn't won't wouldn't shouldn't hasn't haven't"
  ),
  relatives: set('that which who whom whose where when you we they i he she it people')
}

const FR: Words = {
  question: set('pourquoi comment quand où qui que qu quoi quel quelle quels quelles combien lequel laquelle lesquels lesquelles'),
  // "fait" is left out: it is also a noun ("le fait maison").
  verbs: set('est sont a ont peut peuvent doit doivent va vont était étaient sera seront'),
  relatives: set('qui que qu dont où on vous nous ils elles il elle je tu')
}

const wordsFor = (language: Language): Words => (language === 'fr' ? FR : EN)

/** "Qu’est-ce" → "qu", "l’histoire" → "l", "Don't" → "don't": the word as the lists spell it. */
function key(word: string, language: Language): string {
  const lower = word.toLocaleLowerCase(language === 'fr' ? 'fr' : 'en').replace(/’/g, "'")
  if (language === 'fr') return lower.split(/['-]/)[0] ?? lower
  return lower.replace(/[^\p{L}']/gu, '')
}

/** True for "NASA", "U.S.", "YouTube", "McDonald’s", "Einstein’s theory", "New York", "I". */
function startsWithName(words: readonly string[]): boolean {
  const [first = '', second = ''] = words
  if ((first.match(/\p{Lu}/gu) ?? []).length >= 2) return true
  if (/^I(?:$|['’])/u.test(first) || /^\p{Lu}\p{L}*['’]s$/u.test(first)) return true
  // Two capitalised words in a row ("Marie Curie", "New York"), unless the second is "I".
  return /^\p{Lu}/u.test(first) && /^\p{Lu}/u.test(second) && second !== 'I'
}

/**
 * Lower-case the first letter unless the idea starts with a name or an acronym. A single name
 * followed by common words ("Paris in winter") looks like "Sourdough bread" to this rule and is
 * lower-cased; telling them apart needs a dictionary, and sentence-case ideas are far more common.
 */
function lowerFirst(text: string, language: Language): string {
  if (startsWithName(text.split(' '))) return text
  return text.charAt(0).toLocaleLowerCase(language === 'fr' ? 'fr' : 'en') + text.slice(1)
}

const capitalize = (s: string): string => s.charAt(0).toLocaleUpperCase() + s.slice(1)

function kindOf(words: readonly string[], endsWithQuestionMark: boolean, language: Language): IdeaKind {
  const w = wordsFor(language)
  const keys = words.map((word) => key(word, language))
  const [first = '', second = ''] = keys
  if (language === 'fr' && /(?:^|\s)est-ce(?:\s|$)/iu.test(words.join(' '))) return 'directQuestion'
  if (w.question.has(first)) {
    if (language === 'fr') {
      // "Qu’est-ce que…", "Que sont…", "Pourquoi le ciel est-il bleu ?": only direct questions read that way.
      const inverted = words.some((word) => /-(?:t-)?(?:il|elle|ils|elles|on|je|tu|nous|vous)$/iu.test(word.replace(/[?!.]+$/, '')))
      return first === 'que' || first === 'qu' || inverted ? 'directQuestion' : 'question'
    }
    // "How do…", "What is…", "How many hearts does an octopus have": a direct question. "Why the sky is blue" is not.
    const doSupport = keys.slice(1, 5).some((k) => k === 'do' || k === 'does' || k === 'did')
    return w.verbs.has(second) || doSupport ? 'directQuestion' : 'question'
  }
  // "Can dogs see colour" is a question; "Will Smith’s best films" is not.
  if (endsWithQuestionMark || (language !== 'fr' && w.verbs.has(first) && !startsWithName(words))) return 'directQuestion'
  // French reflexives ("le pain se conserve") mark a statement too, except after "à", "de"… ("apprendre à se détendre").
  const reflexive = (k: string, i: number): boolean => language === 'fr' && (k === 'se' || k === 's') && !['à', 'de', 'd', 'pour', 'sans', 'par'].includes(keys[i - 1] ?? '')
  const verbAt = keys.findIndex((k, i) => i > 0 && (w.verbs.has(k) || reflexive(k, i)))
  if (verbAt > 0 && !(verbAt > 1 && w.relatives.has(keys[verbAt - 1] ?? ''))) return 'claim'
  return 'subject'
}

/** Reads an idea typed by a person (already trimmed to one line by the caller). */
export function readIdea(idea: string, language: Language = 'en'): Idea {
  const clean = idea.replace(/\s+/g, ' ').replace(/^["'«“\s]+|["'»”\s]+$/gu, '')
  const endsWithQuestionMark = /\?$/.test(clean)
  const bare = clean.replace(/[\s.!?…:;,]+$/u, '')
  const kind = kindOf(bare.split(' '), endsWithQuestionMark, language)
  const question = kind === 'directQuestion' || kind === 'question'
  // French puts a space before "?"; the templates use a plain one, as does the rest of the text.
  const mark = language === 'fr' ? ' ?' : '?'
  const sentence = `${capitalize(bare)}${question ? mark : '.'}`
  return {
    kind,
    phrase: lowerFirst(bare, language),
    sentence,
    heading: kind === 'directQuestion' || (question && endsWithQuestionMark) ? sentence : capitalize(bare)
  }
}
