import { useMemo, useState } from 'react'
import { DEFAULT_PRIORITY, MAX_PRIORITY, MIN_PRIORITY } from '../../../../shared/types'
import { useCall } from '../../api/context'
import { stepTitle } from '../../i18n/step-title'
import { useT } from '../../i18n/use-t'
import { getStudio, useStudio } from '../../store'
import { pipelineLabel } from '../batch/BatchConfigForm'
import { Button, Field } from '../common/controls'
import { Modal } from '../common/Modal'
import { errorText } from '../../api/error-text'

/** The input a pipeline reads its main text from, as the engine describes it (`pipelines/list`). */
export function primaryField(type: string): string {
  return getStudio().pipelines.find((p) => p.name === type)?.mainField ?? 'prompt'
}

function takes(type: string, field: string): boolean {
  return getStudio().pipelines.find((p) => p.name === type)?.fields.includes(field) ?? false
}
const takesLanguage = (type: string) => takes(type, 'language')

/** The fields a person sets without writing JSON: voice, frame format, length (each only where the pipeline takes it). */
export interface JobOptions {
  voice?: string
  preset?: string
  durationSec?: string
}

/** Build the job input from the form: the advanced JSON first, then the main text, language and options on top. */
export function buildInput(type: string, text: string, language: string, advanced: string, options: JobOptions = {}): Record<string, unknown> {
  let input: Record<string, unknown> = {}
  if (advanced.trim()) {
    const parsed: unknown = JSON.parse(advanced)
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object')
    input = parsed as Record<string, unknown>
  }
  if (text.trim()) input[primaryField(type)] = text.trim()
  if (takesLanguage(type) && language && input.language === undefined) input.language = language
  if (takes(type, 'voice') && options.voice?.trim()) input.voice = options.voice.trim()
  if (takes(type, 'preset') && options.preset) input.preset = options.preset
  if (takes(type, 'durationSec') && options.durationSec?.trim()) input.durationSec = Number(options.durationSec)
  return input
}

export function NewJobDialog({ defaultProjectId }: { defaultProjectId?: string }) {
  const t = useT()
  const call = useCall()
  const pipelines = useStudio((s) => s.pipelines)
  const projects = useStudio((s) => s.projects)
  // The app's main job (seed 2) first; the list is alphabetical and would open on "3D model".
  const [type, setType] = useState(pipelines.find((p) => p.name === 'video')?.name ?? pipelines[0]?.name ?? '')
  const [text, setText] = useState('')
  const [title, setTitle] = useState('')
  const [priority, setPriority] = useState(DEFAULT_PRIORITY)
  const [projectId, setProjectId] = useState(defaultProjectId ?? 'default')
  const [language, setLanguage] = useState(t.locale)
  const [count, setCount] = useState(1)
  const [advanced, setAdvanced] = useState('')
  const [options, setOptions] = useState<JobOptions>({})
  const setOption = (k: keyof JobOptions, v: string) => setOptions((o) => ({ ...o, [k]: v }))
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const close = () => getStudio().setNewJobOpen(false)
  const pipeline = pipelines.find((p) => p.name === type)
  const projectOptions = useMemo(() => {
    const ids = new Set(['default', ...projects.map((p) => p.id)])
    if (defaultProjectId) ids.add(defaultProjectId)
    return [...ids].map((id) => ({ id, name: projects.find((p) => p.id === id)?.name ?? id }))
  }, [projects, defaultProjectId])

  const submit = async (e: React.FormEvent) => {
    e.preventDefault()
    setError(null)
    let input: Record<string, unknown>
    try {
      input = buildInput(type, text, language, advanced, options)
    } catch {
      setError(t('newJob.badJson'))
      return
    }
    const base = { type, input, priority, projectId, ...(title.trim() ? { title: title.trim() } : {}) }
    setBusy(true)
    const r =
      count > 1
        ? await call('jobs/enqueueMany', { jobs: Array.from({ length: count }, (_, i) => ({ ...base, ...(title.trim() ? { title: `${title.trim()} #${i + 1}` } : {}) })) }, { quiet: true })
        : await call('jobs/enqueue', base, { quiet: true })
    setBusy(false)
    if (!r.ok) {
      setError(errorText(r.error, t.locale))
      return
    }
    getStudio().notify('success', t.plural('newJob.queued', count))
    close()
  }

  return (
    <Modal
      title={t('newJob.title')}
      onClose={close}
      testId="new-job-dialog"
      footer={
        <>
          <Button onClick={close}>{t('common.cancel')}</Button>
          <Button kind="primary" type="submit" form="new-job-form" disabled={busy || !type} testId="enqueue">
            {count > 1 ? t('newJob.submitMany', { n: count }) : t('newJob.submit')}
          </Button>
        </>
      }
    >
      <form id="new-job-form" onSubmit={submit} className="form-grid">
        <Field label={t('newJob.type')} htmlFor="nj-type">
          <select id="nj-type" value={type} onChange={(e) => setType(e.target.value)} data-testid="job-type">
            {pipelines.map((p) => (
              <option key={p.name} value={p.name}>
                {pipelineLabel(t, p.name, p.title)} ({p.name})
              </option>
            ))}
          </select>
        </Field>
        {pipeline ? <p className="hint steps-hint">{pipeline.steps.map((s) => stepTitle(t, pipeline.name, s)).join(' → ')}</p> : null}
        <Field label={t(`newJob.field.${primaryField(type)}` as 'newJob.field.prompt')} htmlFor="nj-text">
          <textarea id="nj-text" rows={3} value={text} onChange={(e) => setText(e.target.value)} data-testid="job-text" />
        </Field>
        <div className="row-fields">
          <Field label={t('newJob.jobTitle')} htmlFor="nj-title">
            <input id="nj-title" value={title} maxLength={300} onChange={(e) => setTitle(e.target.value)} data-testid="job-title" />
          </Field>
          <Field label={t('newJob.priority')} htmlFor="nj-priority" hint={t('queue.priorityHint')}>
            <input
              id="nj-priority"
              type="number"
              min={MIN_PRIORITY}
              max={MAX_PRIORITY}
              value={priority}
              onChange={(e) => setPriority(Number(e.target.value))}
              data-testid="job-priority"
            />
          </Field>
        </div>
        <div className="row-fields">
          <Field label={t('newJob.project')} htmlFor="nj-project">
            <select id="nj-project" value={projectId} onChange={(e) => setProjectId(e.target.value)}>
              {projectOptions.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </Field>
          {takesLanguage(type) ? (
            <Field label={t('newJob.language')} htmlFor="nj-lang">
              <select id="nj-lang" value={language} onChange={(e) => setLanguage(e.target.value as 'en' | 'fr')}>
                <option value="en">English</option>
                <option value="fr">Français</option>
              </select>
            </Field>
          ) : null}
          <Field label={t('newJob.count')} htmlFor="nj-count">
            <input id="nj-count" type="number" min={1} max={10_000} value={count} onChange={(e) => setCount(Math.max(1, Math.min(10_000, Number(e.target.value) || 1)))} data-testid="job-count" />
          </Field>
        </div>
        {takes(type, 'voice') || takes(type, 'preset') || takes(type, 'durationSec') ? (
          <div className="row-fields">
            {takes(type, 'voice') ? (
              <Field label={t('newJob.voice')} htmlFor="nj-voice" hint={t('newJob.voiceHint')}>
                <input id="nj-voice" value={options.voice ?? ''} maxLength={100} onChange={(e) => setOption('voice', e.target.value)} data-testid="job-voice" />
              </Field>
            ) : null}
            {takes(type, 'preset') ? (
              <Field label={t('newJob.format')} htmlFor="nj-format">
                <select id="nj-format" value={options.preset ?? ''} onChange={(e) => setOption('preset', e.target.value)} data-testid="job-format">
                  <option value="">{t('newJob.formatDefault')}</option>
                  <option value="short">{t('newJob.formatShort')}</option>
                  <option value="landscape">{t('newJob.formatLandscape')}</option>
                </select>
              </Field>
            ) : null}
            {takes(type, 'durationSec') ? (
              <Field label={t('newJob.length')} htmlFor="nj-length">
                <input id="nj-length" type="number" min={2} max={600} placeholder="30" value={options.durationSec ?? ''} onChange={(e) => setOption('durationSec', e.target.value)} data-testid="job-length" />
              </Field>
            ) : null}
          </div>
        ) : null}
        <details className="advanced">
          <summary>{t('newJob.advanced')}</summary>
          <Field label={t('newJob.json')} htmlFor="nj-json" hint={t('newJob.jsonHint')}>
            <textarea id="nj-json" rows={4} className="mono" value={advanced} onChange={(e) => setAdvanced(e.target.value)} spellCheck={false} data-testid="job-json" />
          </Field>
        </details>
        {error ? (
          <p className="form-error" role="alert" data-testid="form-error">
            {error}
          </p>
        ) : null}
      </form>
    </Modal>
  )
}
