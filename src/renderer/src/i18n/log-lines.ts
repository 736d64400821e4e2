import { isLogLineCode, logText, parseLogLine, type LogLineCode } from '../../../shared/log-lines'
import type { LogLine } from '../../../shared/types'
import type { Locale } from './index'

/**
 * The engine's log lines in French (templates in shared/log-lines). Values are the engine's own:
 * step and provider names as they are, errors in the words the provider used.
 */
const FR: Record<LogLineCode, string> = {
  queued: 'mis en file avec la priorité {priority}',
  prioritySet: 'priorité réglée à {priority}',
  moved: 'déplacé {direction}',
  placedBefore: 'placé avant « {title} »',
  placedAfter: 'placé après « {title} »',
  movedPriority: 'déplacé {direction} ; priorité {was} → {priority}',
  placedBeforePriority: 'placé avant « {title} » ; priorité {was} → {priority}',
  placedAfterPriority: 'placé après « {title} » ; priorité {was} → {priority}',
  cancelled: 'annulé',
  cancelledWhileRunning: 'annulé pendant l’étape {step}',
  retryFrom: 'relance demandée à partir de l’étape {step}',
  retryFromResumesEarlier: 'relance demandée à partir de l’étape {step} ; reprise à l’étape {resume}, jamais terminée',
  retryResumes: 'relance demandée ; reprise à l’étape {step}',
  paused: 'mis en pause',
  pausing: 'mise en pause à la fin de l’étape {step}',
  resumed: 'repris',
  pauseWithdrawn: 'mise en pause annulée',
  skipping: 'étape {step} sautée (déjà faite)',
  started: 'début de l’étape {step} (essai {attempt}/{max})',
  finished: 'étape {step} terminée en {duration}',
  finishedFallback: 'étape {step} terminée en {duration} (solution de repli)',
  finishedJob: 'étape {step} terminée en {duration} ; tâche terminée',
  finishedJobFallback: 'étape {step} terminée en {duration} (solution de repli) ; tâche terminée',
  willRetry: 'échec de l’étape {step}, nouvel essai dans {delay} : {error}',
  providerDown: '{provider} est indisponible ; l’étape {step} attend ({reason})',
  failed: 'échec à l’étape {step} : {error}',
  fallback: 'échec définitif de l’étape {step} ({error}) ; solution de repli utilisée',
  workerLost: 'le processus {worker} ne répond plus pendant l’étape {step} ; tâche remise en file',
  engineStopping: 'arrêt du moteur ; la tâche reprendra à sa prochaine étape',
  engineStopped: 'moteur arrêté pendant l’étape {step} ; reprise à l’étape {next}',
  databaseLocked: 'base de données verrouillée par un autre processus à l’étape {step} ; tâche remise en file',
  movedToFarm: 'déplacée de la file locale de {host} vers la ferme de rendu ; {kept} étape(s) terminée(s) conservée(s)',
  pausedBetweenSteps: 'mis en pause entre deux étapes',
  queuePaused: 'file en pause ; la tâche reprendra à sa prochaine étape',
  offlineScript: 'script hors ligne par {provider} (modèles de phrases, pas un modèle de langage)',
  narration: 'narration par {provider} : {seconds} s',
  projectVisuals: 'médias du projet utilisés comme visuels : {count}',
  rendered: 'rendu en {width}×{height}, {seconds} s, avec ffmpeg {source} {version}',
  renderedDraft: 'brouillon rendu en {width}×{height}, {seconds} s, avec ffmpeg {source} {version}',
  moderatedOne: 'texte vérifié par {provider} avant l’étape {kind} : rien de signalé',
  moderatedMany: 'textes vérifiés par {provider} avant l’étape {kind} ({count}) : rien de signalé',
  existingTrack: 'piste existante proposée à la place : {track}',
  reusedVoice: 'voix de la scène {scene} réutilisée (inchangée)',
  reusedPicture: 'image de la scène {scene} réutilisée (inchangée)',
  reusedSegment: 'segment de la scène {scene} réutilisé (inchangé)',
  reusedMusic: 'musique réutilisée (inchangée)',
  reusedVideo: 'vidéo assemblée réutilisée (inchangée)',
  sceneVisualAsset: 'image de la scène {scene} : média du projet {name}',
  storyboardRendered: '{scenes} scène(s) assemblée(s) : {width}×{height}, {seconds} s'
}

/** Values that are English words rather than names, by the value they fill. */
const FR_VALUES: Record<string, Record<string, string>> = {
  direction: { up: 'd’un cran vers le haut', down: 'd’un cran vers le bas', top: 'en tête de file', bottom: 'en fin de file' },
  step: {},
  source: { bundled: 'intégré', system: 'du système', settings: 'des réglages', env: 'de l’environnement' }
}

/** What the engine writes when it does not know the step, in place of "l’étape {step}". */
const STEP_PHRASES: Record<string, string> = { 'a step': 'une étape', 'the current step': 'l’étape en cours' }

/** Durations and seconds with a decimal comma ("1.5 s" → "1,5 s"). */
const DECIMAL_VALUES = new Set(['duration', 'delay', 'seconds'])

/**
 * A log line in the user's language, from its code and values (shared/log-lines): the engine sends
 * both with every line, having recognised once, when reading, the lines older releases stored as
 * English only. A line whose code is null is free text (a step's own words), shown as written.
 * Only a bare message (no `code` field at all: a writer that does not send codes) is recognised
 * by its template here.
 */
export function localizeLogLine(line: string | Pick<LogLine, 'message' | 'code' | 'params'>, locale: Locale): string {
  const message = typeof line === 'string' ? line : line.message
  const sent = typeof line !== 'string' && line.code !== undefined
  const coded = sent && line.code && line.params && isLogLineCode(line.code) ? { code: line.code, params: line.params } : null
  if (locale === 'en') return coded ? logText(coded.code, coded.params) : message
  const found = sent ? coded : parseLogLine(message)
  if (!found) return message
  const params: Record<string, string> = {}
  for (const [name, value] of Object.entries(found.params)) params[name] = String(value)
  // A template says "l’étape {step}" for a step's name; the engine's stand-ins for an unknown step are phrases of their own.
  const stepPhrase = STEP_PHRASES[params.step ?? '']
  const template = stepPhrase ? FR[found.code].replace(/(?:l’)?étape \{step\}/, stepPhrase) : FR[found.code]
  return template.replace(/\{(\w+)\}/g, (m, name: string) => {
    const value = params[name]
    if (value === undefined) return m
    if (DECIMAL_VALUES.has(name)) return value.replace(/(\d)\.(\d)/g, '$1,$2')
    return FR_VALUES[name]?.[value] ?? value
  })
}
