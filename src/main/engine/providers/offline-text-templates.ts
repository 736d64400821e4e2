/**
 * Sentence templates for the offline text generator, in English and French, for ideas that are
 * subjects ("home composting"); questions and statements use `explainer` (see
 * offline-text-explainers.ts). `{topic}` is the idea's mid-sentence form (see offline-text-idea.ts),
 * `{Topic}` the same with a capital first letter (sentence start). Sentences
 * are built so the topic never has to agree with a verb or an adjective: "when it comes to
 * {topic}", "{Topic}, c'est…". Body templates deliberately contain some stock "AI" wording
 * (moreover, essential, crucial…) so the adversarial presets have something visible to rewrite.
 */
import { EN_EXPLAINERS, FR_EXPLAINERS, type ExplainerTemplates } from './offline-text-explainers'

export interface LanguageTemplates {
  hooks: readonly string[]
  bodies: readonly string[]
  ctas: readonly string[]
  titles: readonly string[]
  /** Phrases appended to a sentence by the enhancement presets. */
  details: readonly string[]
  /** Extra supporting sentences added by fullEnhancement. */
  supports: readonly string[]
  /** First-person asides (personalityFocus). */
  asides: readonly string[]
  /** Sentence openers for connectorsFocus, all different. */
  connectors: readonly string[]
  /** Openers that carry the reader from one idea to the next (fluidityFocus). */
  transitions: readonly string[]
  /** Joins two sentences into one (fluidityFocus). */
  links: readonly string[]
  /** Spoken fillers (humanSimulation). */
  fillers: readonly string[]
  /** Reactions a person adds when talking (humanSimulation personalityFocus). */
  reactions: readonly string[]
  /** Questions that break the statement-after-statement rhythm (syntaxFocus). */
  questions: readonly string[]
  /** Short fragments that vary sentence length (adversarial heavy). */
  fragments: readonly string[]
  /** Stock wording → plainer wording (adversarial). */
  plainWords: readonly (readonly [string, string])[]
  /** Written → spoken forms (humanSimulation). */
  spokenForms: readonly (readonly [string, string])[]
  /** Prompt phrases that introduce the topic ("about X"), to find the idea in a prompt. */
  topicMarkers: readonly string[]
  /** Hooks, bodies, calls to action and titles for ideas that are questions or statements. */
  explainer: ExplainerTemplates
}

export const EN_TEMPLATES: LanguageTemplates = {
  hooks: [
    'Here is something most people never hear about {topic}.',
    'What if everything you knew about {topic} was only half the story?',
    'Ready to see {topic} in a whole new light?',
    "Let's talk about {topic}, in under a minute.",
    'Stop scrolling: this is the quickest guide to {topic} you will find.',
    'Nobody told me this about {topic} when I started.',
    'If {topic} has ever confused you, this is for you.',
    'One minute, one topic: {topic}.'
  ],
  bodies: [
    'Moreover, when it comes to {topic}, the basics matter more than any trick.',
    'Experts utilize {topic} to solve problems that once seemed impossible.',
    'It is crucial to understand that {topic} does not have to be complicated.',
    'The first step is simple: start small and build on what works.',
    'Many people overlook {topic}, yet it can transform the way they work.',
    'Furthermore, the best results come from consistency rather than intensity.',
    'Think of {topic} as a toolbox in which each piece has a purpose.',
    'Small changes in how you approach {topic} can lead to surprisingly large gains.',
    'It is important to note that every mistake is an essential lesson.',
    'Additionally, sharing what you learn about {topic} helps others get started.',
    'The secret is to leverage what you already know.',
    'Most beginners give up too early, right before things start to click.',
    'You do not need expensive tools to get going with {topic}.',
    'Over time, {topic} becomes less of a task and more of a habit.'
  ],
  ctas: [
    'Follow for more ideas like this, and tell me what you think in the comments.',
    'Save this video so you have it when you need it.',
    'Try one of these tips today and share how it went.',
    'Share this with someone who needs to hear it.',
    'Subscribe for a new short guide every week.'
  ],
  titles: [
    '{Topic}: the essentials',
    'Everything you need to know about {topic}',
    '{Topic} in 60 seconds',
    'The truth about {topic}',
    'Why {topic} matters more than you think',
    'Getting started with {topic}'
  ],
  details: [
    'even on the busiest days',
    'without spending a fortune',
    'whether you are a beginner or an expert',
    'in just a few minutes a day',
    'with results you can actually measure',
    'long before anyone else notices'
  ],
  supports: [
    'A single example makes it clear: one small habit, repeated daily, beats a big effort once a month.',
    'The numbers back this up: people who keep at it for a few weeks rarely go back.',
    'Picture the difference a month from now if you start today.'
  ],
  asides: [
    'Honestly, I wish I had known this sooner.',
    "I'll admit it: this one surprised me.",
    'Personally, this is my favourite part.',
    'I tried it myself, and the difference was obvious.',
    'In my experience, this is where most people get stuck.'
  ],
  connectors: ['Plus,', 'On top of that,', 'That said,', "And here's the thing:", 'Better still,', 'Meanwhile,', 'In other words,', 'Even so,'],
  transitions: ['From there,', 'Building on that,', 'Which brings us to this:', 'Naturally,', 'And once that is in place,'],
  links: [', and', ', which is why', ', so'],
  fillers: ['Well,', 'You know,', 'Basically,', 'Look,'],
  reactions: ['Crazy, right?', 'I know, I know.', 'Wild, but true.', 'Stay with me here.'],
  questions: ['Why does this matter?', 'The catch?', 'So what changes?', 'Sounds too simple?'],
  fragments: ['Simple as that.', 'No magic.', 'Big difference.', 'Really.'],
  plainWords: [
    ['Moreover,', 'Also,'],
    ['Furthermore,', 'And'],
    ['Additionally,', 'Plus,'],
    ['It is crucial to understand that', 'Here is the thing:'],
    ['It is important to note that', 'Keep in mind:'],
    ['utilize', 'use'],
    ['leverage', 'use'],
    ['an essential', 'a useful'],
    ['transform', 'change']
  ],
  spokenForms: [
    ['Here is', "Here's"],
    ['It is', "It's"],
    ['it is', "it's"],
    ['do not', "don't"],
    ['does not', "doesn't"],
    ['You do not', "You don't"],
    ['you will', "you'll"],
    ['you are', "you're"],
    ['that is', "that's"],
    ['I am', "I'm"],
    ['cannot', "can't"]
  ],
  topicMarkers: ['about', 'on the topic of', 'on', 'regarding', 'explaining', 'for'],
  explainer: EN_EXPLAINERS
}

export const FR_TEMPLATES: LanguageTemplates = {
  hooks: [
    'Voici ce que presque personne ne vous dit sur {topic}.',
    'Et si tout ce que vous savez sur {topic} ne racontait que la moitié de l’histoire ?',
    'Prêt à voir {topic} sous un autre angle ?',
    'Parlons de {topic}, en moins d’une minute.',
    'Arrêtez de scroller : voici le guide le plus rapide sur {topic}.',
    'Personne ne m’avait dit ça sur {topic} quand j’ai commencé.',
    'Si {topic} vous a déjà semblé compliqué, cette vidéo est pour vous.',
    'Une minute, un sujet : {topic}.'
  ],
  bodies: [
    'De plus, quand on parle de {topic}, les bases comptent plus que n’importe quelle astuce.',
    'Les experts utilisent {topic} pour résoudre des problèmes qui semblaient impossibles.',
    'Il est crucial de comprendre que {topic}, ce n’est pas forcément compliqué.',
    'La première étape est simple : commencer petit et garder ce qui marche.',
    'Beaucoup de gens négligent {topic}, alors que cela peut transformer leur façon de travailler.',
    'Par ailleurs, les meilleurs résultats viennent de la régularité plutôt que de l’intensité.',
    'Voyez {topic} comme une boîte à outils où chaque pièce a son rôle.',
    'De petits changements dans votre approche de {topic} peuvent avoir de grands effets.',
    'Il est important de noter que les erreurs sont un élément essentiel du processus.',
    'En outre, partager ce que vous apprenez sur {topic} aide les autres à se lancer.',
    'Le secret, c’est de tirer parti de ce que vous savez déjà.',
    'La plupart des débutants abandonnent trop tôt, juste avant que tout se mette en place.',
    'Vous n’avez pas besoin d’outils coûteux pour vous lancer dans {topic}.',
    'Avec le temps, {topic} devient moins une corvée qu’une habitude.'
  ],
  ctas: [
    'Abonnez-vous pour d’autres idées comme celle-ci, et dites-moi ce que vous en pensez en commentaire.',
    'Enregistrez cette vidéo pour l’avoir sous la main le moment venu.',
    'Essayez un de ces conseils aujourd’hui et racontez-moi comment ça s’est passé.',
    'Partagez-la avec quelqu’un qui a besoin de l’entendre.',
    'Abonnez-vous pour un nouveau guide express chaque semaine.'
  ],
  titles: [
    '{Topic} : l’essentiel',
    'Tout ce qu’il faut savoir sur {topic}',
    '{Topic} en 60 secondes',
    'La vérité sur {topic}',
    'Pourquoi {topic} compte plus que vous ne le pensez',
    'Bien débuter avec {topic}'
  ],
  details: [
    'même les jours les plus chargés',
    'sans se ruiner',
    'que vous soyez débutant ou expert',
    'en quelques minutes par jour',
    'avec des résultats mesurables',
    'bien avant que quiconque ne le remarque'
  ],
  supports: [
    'Un exemple suffit : une petite habitude répétée chaque jour vaut mieux qu’un gros effort une fois par mois.',
    'Les chiffres le confirment : ceux qui tiennent quelques semaines reviennent rarement en arrière.',
    'Imaginez la différence dans un mois si vous commencez aujourd’hui.'
  ],
  asides: [
    'Franchement, j’aurais aimé le savoir plus tôt.',
    'Je l’avoue : celle-là m’a surpris.',
    'Personnellement, c’est ma partie préférée.',
    'Je l’ai testé moi-même, et la différence était flagrante.',
    'D’après mon expérience, c’est là que la plupart des gens bloquent.'
  ],
  connectors: ['En plus,', 'Et surtout,', 'Cela dit,', 'Et voilà le truc :', 'Mieux encore,', 'Pendant ce temps,', 'Autrement dit,', 'Malgré tout,'],
  transitions: ['À partir de là,', 'Dans la foulée,', 'Ce qui nous amène à ceci :', 'Naturellement,', 'Une fois cela en place,'],
  links: [', et', ', c’est pourquoi', ', donc'],
  fillers: ['Bon,', 'Vous voyez,', 'En gros,', 'Écoutez,'],
  reactions: ['Fou, non ?', 'Je sais, je sais.', 'Étonnant, mais vrai.', 'Restez avec moi.'],
  questions: ['Pourquoi c’est important ?', 'Le piège ?', 'Qu’est-ce qui change, alors ?', 'Trop simple ?'],
  fragments: ['Aussi simple que ça.', 'Pas de magie.', 'Grosse différence.', 'Vraiment.'],
  plainWords: [
    ['De plus,', 'Et puis,'],
    ['Par ailleurs,', 'Aussi,'],
    ['En outre,', 'En plus,'],
    ['Il est crucial de comprendre que', 'Retenez ça :'],
    ['Il est important de noter que', 'À savoir :'],
    ['utilisent', 'se servent de'],
    ['tirer parti de', 'profiter de'],
    ['un élément essentiel', 'une étape normale'],
    ['transformer', 'changer']
  ],
  spokenForms: [
    ['ce n’est pas', 'c’est pas'],
    ['Vous n’avez pas besoin', 'Pas besoin'],
    ['Il est', 'C’est'],
    ['il y a', 'y a'],
    ['ne vous dit', 'vous dit'],
    ['Personne ne m’avait dit', 'Personne m’avait dit']
  ],
  topicMarkers: ['à propos de', 'au sujet de', 'concernant', 'sur'],
  explainer: FR_EXPLAINERS
}

export function templatesFor(language: string): { language: 'en' | 'fr'; templates: LanguageTemplates } {
  return language === 'fr' ? { language: 'fr', templates: FR_TEMPLATES } : { language: 'en', templates: EN_TEMPLATES }
}
