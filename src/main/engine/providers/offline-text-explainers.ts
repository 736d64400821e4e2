/**
 * Templates for ideas that are questions or statements ("Why octopuses have three hearts",
 * "How do vaccines work?", "Octopuses have three hearts"). The general templates treat the
 * topic as a thing you practise ("get going with {topic}"), which a question is not, so these
 * explain instead: the idea appears in the hook, where the sentence is built for it, and the
 * body never needs the topic. Like the general ones, some bodies carry stock "AI" wording
 * (moreover, crucial, utilize…) for the adversarial presets to rewrite. Only real openers end
 * in a comma early in a body ("Moreover, …"): the style presets replace those with their own.
 * No "à le"/"de le" before a verb: fixFrench() would contract it.
 */

export interface ExplainerTemplates {
  /** For an indirect question, used mid-sentence: "Here is {topic}, in under a minute." */
  questionHooks: readonly string[]
  /** Follow a direct question asked on its own: "How do vaccines work? Here is the short answer." */
  answerHooks: readonly string[]
  /** For a statement: "Believe it or not, {topic}." */
  claimHooks: readonly string[]
  bodies: readonly string[]
  ctas: readonly string[]
  /** `{Heading}` is the idea as typed, tidied. */
  titles: readonly string[]
  /** Replace the general details and supports, which talk about habits and tips. */
  details: readonly string[]
  supports: readonly string[]
}

export const EN_EXPLAINERS: ExplainerTemplates = {
  questionHooks: [
    'Ever wondered {topic}?',
    'Here is {topic}, in under a minute.',
    'Most people never find out {topic}.',
    'Few people can explain {topic}, but you will in a minute.',
    "Let's work out {topic}, because the answer is better than you think.",
    'Stop scrolling: this is {topic}, explained simply.'
  ],
  answerHooks: ['Here is the short answer.', "Let's find out in under a minute.", 'The answer might surprise you.', 'Stay with me: it takes less than a minute.'],
  claimHooks: [
    'Here is something most people never hear: {topic}.',
    'Believe it or not, {topic}.',
    'It sounds strange, but {topic}.',
    'One minute, one fact: {topic}.'
  ],
  bodies: [
    'Moreover, the explanation is simpler than most people expect.',
    'Experts utilize a handful of clear ideas to explain it.',
    'It is crucial to understand that the obvious answer is not the whole story.',
    'The first clue is hiding in plain sight.',
    'Many people overlook the details, yet they change the whole picture.',
    'Furthermore, once you see the reason, it is hard to unsee it.',
    'Think of it as a puzzle in which every piece has a purpose.',
    'It is important to note that the full story is richer than any one-line answer.',
    'Additionally, it makes a great story to share with friends.',
    'The secret is to leverage what you already know and add one new idea.',
    'A lot of other things start to make sense once it clicks.',
    'You do not need to be an expert to follow the explanation.',
    'The surprising part is how long it took people to notice.',
    'An essential detail is often left out of the usual explanation.'
  ],
  ctas: [
    'Follow for more like this, and tell me in the comments what surprised you most.',
    'Save this video for the next time someone asks.',
    'Share this with someone who would love to know.',
    'Subscribe for a new short explainer every week.',
    'Try explaining it to a friend today.'
  ],
  titles: ['{Heading}', '{Heading}, explained'],
  details: [
    'even if it sounds unlikely at first',
    'whether you are curious or a complete beginner',
    'and it is easy to check',
    'once you know where to look',
    'as you will see in a moment',
    'and that is the fun part'
  ],
  supports: [
    'A single example makes it clear, and it sticks once you have seen it.',
    'The evidence backs this up, and it has been checked many times.',
    'Picture it the next time the question comes up.'
  ]
}

export const FR_EXPLAINERS: ExplainerTemplates = {
  questionHooks: [
    'Vous êtes-vous déjà demandé {topic} ?',
    'Voici {topic}, en moins d’une minute.',
    'Peu de gens savent vraiment {topic}.',
    'On va voir ensemble {topic}, et la réponse va vous surprendre.',
    'Arrêtez de scroller : voici {topic}, expliqué simplement.'
  ],
  answerHooks: ['Voici la réponse courte.', 'On regarde ça en moins d’une minute.', 'La réponse risque de vous surprendre.'],
  claimHooks: [
    'Voici un fait que presque personne ne connaît : {topic}.',
    'Croyez-le ou non, {topic}.',
    'Ça paraît étrange, mais {topic}.',
    'Une minute, un fait : {topic}.'
  ],
  bodies: [
    'De plus, l’explication est plus simple qu’on ne le croit.',
    'Les experts utilisent quelques idées claires pour l’expliquer.',
    'Il est crucial de comprendre que la réponse évidente n’est pas toute l’histoire.',
    'Le premier indice est sous nos yeux.',
    'Beaucoup de gens négligent les détails, alors qu’ils changent tout.',
    'Par ailleurs, une fois qu’on a compris la raison, on ne voit plus les choses pareil.',
    'Voyez ça comme un puzzle où chaque pièce a son rôle.',
    'Il est important de noter que la vraie histoire est plus riche qu’une réponse en une ligne.',
    'En outre, c’est une histoire parfaite à raconter à vos amis.',
    'Le secret consiste à tirer parti de ce que vous savez déjà.',
    'Plein d’autres choses deviennent claires une fois que ça fait tilt.',
    'Pas besoin d’être expert pour suivre l’explication.',
    'Le plus surprenant est le temps qu’il a fallu pour s’en rendre compte.',
    'Ce détail peut transformer votre façon de voir les choses.'
  ],
  ctas: [
    'Abonnez-vous pour d’autres questions comme celle-ci, et dites-moi en commentaire ce qui vous a surpris.',
    'Enregistrez cette vidéo pour la prochaine fois qu’on vous posera la question.',
    'Partagez-la avec quelqu’un que ça va intriguer.',
    'Abonnez-vous pour une nouvelle explication express chaque semaine.',
    'Essayez de l’expliquer à un ami aujourd’hui.'
  ],
  titles: ['{Heading}', '{Heading} : l’explication'],
  details: [
    'même si ça paraît étonnant au premier abord',
    'que vous soyez curieux ou grand débutant',
    'et c’est facile à vérifier',
    'une fois qu’on sait où regarder',
    'vous allez voir',
    'et c’est tout l’intérêt'
  ],
  supports: [
    'Un seul exemple suffit pour s’en convaincre, et on ne l’oublie plus.',
    'Les faits le confirment, et ils ont été vérifiés plus d’une fois.',
    'Pensez-y la prochaine fois que la question reviendra.'
  ]
}
