import { parseLogLine, type LogLineCode } from '../../../shared/log-lines'
import type { Locale } from './index'

/**
 * The engine's log lines in French (templates in shared/log-lines). Values are the engine's own:
 * step and provider names as they are, errors in the words the provider used.
 */
const FR: Record<LogLineCode, string> = {
  queued: 'mis en file avec la priorité {priority}',
  prioritySet: 'priorité réglée à {priority}',
  moved: 'déplacé {direction}',
  placedBefore: 'placé avant « {title} »',
  placedAfter: 'placé après « {title} »',
  movedPriority: 'déplacé {direction} ; priorité {was} → {priority}',
  placedBeforePriority: 'placé avant « {title} » ; priorité {was} → {priority}',
  placedAfterPriority: 'placé après « {title} » ; priorité {was} → {priority}',
  cancelled: 'annulé',
  cancelledWhileRunning: 'annulé pendant {step}',
  retryFrom: 'relance demandée à partir de l’étape {step}',
  retryFromResumesEarlier: 'relance demandée à partir de l’étape {step} ; reprise à l’étape {resume}, jamais terminée',
  retryResumes: 'relance demandée ; reprise à l’étape {step}',
  paused: 'mis en pause',
  pausing: 'mise en pause à la fin de l’étape {step}',
  resumed: 'repris',
  pauseWithdrawn: 'mise en pause annulée',
  skipping: '{step} sautée (déjà faite)',
  started: 'début de {step} (essai {attempt}/{max})',
  finished: '{step} terminée en {duration}',
  finishedFallback: '{step} terminée en {duration} (solution de repli)',
  finishedJob: '{step} terminée en {duration} ; job terminé',
  finishedJobFallback: '{step} terminée en {duration} (solution de repli) ; job terminé',
  willRetry: 'échec de {step}, nouvel essai dans {delay} : {error}',
  providerDown: '{provider} est indisponible ; {step} attend ({reason})',
  failed: 'échec à l’étape {step} : {error}',
  fallback: 'échec définitif de {step} ({error}) ; solution de repli utilisée',
  workerLost: 'le processus {worker} ne répond plus pendant {step} ; job remis en file',
  engineStopping: 'arrêt du moteur ; le job reprendra à sa prochaine étape',
  engineStopped: 'moteur arrêté pendant {step} ; reprise à l’étape {next}',
  databaseLocked: 'base de données verrouillée par un autre processus à l’étape {step} ; job remis en file',
  pausedBetweenSteps: 'mis en pause entre deux étapes',
  queuePaused: 'file en pause ; le job reprendra à sa prochaine étape',
  offlineScript: 'script hors ligne par {provider} (modèles de phrases, pas un modèle de langage)',
  narration: 'narration par {provider} : {seconds} s',
  projectVisuals: 'médias du projet utilisés comme visuels : {count}',
  rendered: 'rendu en {width}×{height}, {seconds} s, avec ffmpeg {source} {version}',
  renderedDraft: 'brouillon rendu en {width}×{height}, {seconds} s, avec ffmpeg {source} {version}',
  moderatedOne: 'texte vérifié par {provider} avant l’étape {kind} : rien de signalé',
  moderatedMany: '{count} textes vérifiés par {provider} avant l’étape {kind} : rien de signalé',
  existingTrack: 'piste existante proposée à la place : {track}',
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
  step: { 'a step': 'une étape', 'the current step': 'en cours' },
  source: { bundled: 'intégré', system: 'du système', settings: 'des réglages', env: 'de l’environnement' }
}

/** Durations and seconds with a decimal comma ("1.5 s" → "1,5 s"). */
const DECIMAL_VALUES = new Set(['duration', 'delay', 'seconds'])

/**
 * A stored log line in the user's language: the engine's own lines are recognised by their
 * template; any other line (a step's free text, an older wording) is shown as it was written.
 */
export function localizeLogLine(message: string, locale: Locale): string {
  if (locale === 'en') return message
  const parsed = parseLogLine(message)
  if (!parsed) return message
  return FR[parsed.code].replace(/\{(\w+)\}/g, (m, name: string) => {
    const value = parsed.params[name]
    if (value === undefined) return m
    if (DECIMAL_VALUES.has(name)) return value.replace(/(\d)\.(\d)/g, '$1,$2')
    return FR_VALUES[name]?.[value] ?? value
  })
}
