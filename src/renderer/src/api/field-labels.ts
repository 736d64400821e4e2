/**
 * A request path as the form that sent it labels the field: ['input', 'idea'] is the new job
 * dialog's "Idea", ['subtitleStyle', 'fontSize'] the settings' "Size". A path no form shows is
 * quoted as it is, so the sentence still says where to look.
 */
import type { IssuePath } from '../../../shared/api-issues'
import type { MessageKey, Translator } from '../i18n'

type Label = (t: Translator, m: RegExpMatchArray) => string

const key = (k: MessageKey): Label => (t) => t(k)

const LABELS: [RegExp, Label][] = [
  [/^input\.(idea|prompt|text|mood)$/, (t, m) => t(`newJob.field.${m[1]}` as MessageKey)],
  [/^input\.voice$/, key('newJob.voice')],
  [/^input\.preset$/, key('newJob.format')],
  [/^input\.durationSec$/, key('newJob.length')],
  [/^input\.language$/, key('newJob.language')],
  [/^input$/, key('newJob.json')],
  [/^type$/, key('newJob.type')],
  [/^priority$/, key('newJob.priority')],
  [/^title$/, key('newJob.jobTitle')],
  [/^projectId$/, key('newJob.project')],
  [/^name$/, key('batch.name')],
  [/^config\.(pipeline|selective|adversarial|humanSimulation|patternBreaking|intensity)$/, (t, m) => t(`batch.cfg.${m[1]}` as MessageKey)],
  [/^config\.saveIntermediateSteps$/, key('batch.cfg.saveIntermediate')],
  [/^config\.rowRange\.start$/, key('batch.cfg.rowStart')],
  [/^config\.rowRange\.end$/, key('batch.cfg.rowEnd')],
  [/^concurrency$/, key('settings.concurrency')],
  [/^ffmpegPath$/, key('settings.ffmpeg')],
  [/^captionRenderer$/, key('settings.renderer')],
  [/^videoPreset$/, key('settings.preset')],
  [/^subtitleStyle\.(fonts|bold|fontSize|color|strokeColor|strokeWidth|highlightColor|bottomOffset|margin|karaoke)$/, (t, m) => t(`settings.style.${m[1]}` as MessageKey)],
  [/^providers\.(text|image|speech)\.(baseURL|model)$/, (t, m) => `${t(`settings.kind.${m[1]}` as MessageKey)} — ${t(`settings.${m[2]}` as MessageKey)}`],
  [/^queueUrl$/, key('farm.queueUrl')],
  [/^sharedDir$/, key('farmShare.label')],
  [/^resources\.([^.]+)\.concurrency$/, (t, m) => `${m[1]} — ${t('settings.limit')}`],
  [/^resources\.([^.]+)\.minIntervalMs$/, (t, m) => `${m[1]} — ${t('admin.minInterval')}`]
]

/** The field's words, or null when no form shows it. Indexes (which copy, which job) are left out. */
export function fieldLabel(path: IssuePath, t: Translator): string | null {
  const dotted = withoutIndexes(path).join('.')
  for (const [re, label] of LABELS) {
    const m = dotted.match(re)
    if (m) return label(t, m)
  }
  return null
}

/** The path as the field's name for a sentence: its label, else the raw path, quoted either way. */
export function quotedField(path: IssuePath, t: Translator): string {
  return t('common.quoted', { text: fieldLabel(path, t) ?? (withoutIndexes(path).join('.') || '—') })
}

/** jobs/enqueueMany's ['jobs', 3, 'input', 'idea'] is the dialog's 'input.idea' (every copy has the same form). */
function withoutIndexes(path: IssuePath): string[] {
  const parts = path.filter((p): p is string => typeof p === 'string')
  return parts[0] === 'jobs' && typeof path[1] === 'number' ? parts.slice(1) : parts
}
