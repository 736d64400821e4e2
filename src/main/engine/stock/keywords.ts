/**
 * Search words for stock footage from a scene's narration, offline: the words that carry meaning
 * (stop words of English and French dropped, the language need not be known), most repeated
 * first, then in reading order. "Why do octopuses have three hearts?" → ["octopuses", "three", "hearts"].
 */

const EN = `a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each even ever every few for from further
get gets got had has have having he her here hers herself him himself his how i if in into is it its itself
just let like made make makes many may me might more most much must my myself never no nor not now of off
often on once one only or other our ours ourselves out over own really same say says she should so some such
than that the their theirs them themselves then there these they this those through to too under until up
upon us very was way we well were what when where which while who whom whose why will with without would yet
you your yours yourself yourselves thing things something anything everything nothing someone people`

const FR = `a à afin ai aie aient ainsi alors as au aucun aucune aussi autre autres aux avait avaient avec avez
avoir avons ayant bien c ça car ce ceci cela celle celles celui cependant certains ces cet cette ceux chaque
chez ci comme comment d dans de des deux donc dont du elle elles en encore entre es est et étaient était été
être eu eux fait faire fais fut ici il ils j je jamais l la là le les leur leurs lui m ma mais me même mes
moi moins mon n ne ni nos notre nous on ont ou où par parce pas peu peut peuvent plus plusieurs pour pourquoi
qu quand que quel quelle quelles quels qui quoi s sa sans se sera ses si sien son sont sous sur t ta tant te
tes toi ton tous tout toute toutes très tu un une vers voici voilà vos votre vous y chose choses quelque
quelques rien personne gens aujourd hui devant derrière avant après depuis pendant selon contre parmi vraiment souvent toujours`

const STOP_WORDS = new Set([...EN.split(/\s+/), ...FR.split(/\s+/)].filter(Boolean))

/** Words of at least this many letters carry a subject ("sea" yes, "of" no). */
const MIN_LETTERS = 3

export function keywordsFor(text: string, max = 4): string[] {
  const counts = new Map<string, { n: number; first: number }>()
  // Letters of any script, with inner apostrophes and hyphens split off (l'océan → océan).
  const words = text.toLowerCase().normalize('NFC').match(/\p{L}[\p{L}\p{M}]*/gu) ?? []
  words.forEach((word, index) => {
    if (word.length < MIN_LETTERS || STOP_WORDS.has(word)) return
    const seen = counts.get(word)
    if (seen) seen.n++
    else counts.set(word, { n: 1, first: index })
  })
  return [...counts.entries()]
    .sort((a, b) => b[1].n - a[1].n || a[1].first - b[1].first)
    .slice(0, Math.max(1, max))
    .map(([word]) => word)
}

/** A model's answer ("octopus, deep sea, hearts") as at most `max` clean keywords, or [] when it said nothing usable. */
export function parseProposedKeywords(answer: string, max = 4): string[] {
  const seen = new Set<string>()
  for (const part of answer.split(/[,\n;]+/)) {
    const clean = part
      .replace(/^[\s\-*•\d.)"']+|[\s."']+$/g, '')
      .toLowerCase()
      .trim()
    if (clean && clean.length <= 40 && /\p{L}/u.test(clean)) seen.add(clean)
    if (seen.size >= max) break
  }
  return [...seen]
}
