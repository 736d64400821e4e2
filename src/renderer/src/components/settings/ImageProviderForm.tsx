import { useEffect, useState } from 'react'
import type { ProviderChoiceView } from '../../../../shared/types'
import { useT } from '../../i18n/use-t'
import { Button, Field } from '../common/controls'
import { EndpointFields } from './EndpointFields'
import { KeyField } from './KeyField'
import { useSettingsSave } from './save'

type Kind = 'offline' | 'openai' | 'automatic1111' | 'comfyui'
const DEFAULT_URLS: Record<Kind, string> = { offline: '', openai: 'https://api.openai.com/v1', automatic1111: 'http://127.0.0.1:7860', comfyui: 'http://127.0.0.1:8188' }

/** Pictures: title cards (offline), an OpenAI-compatible server, or a local AUTOMATIC1111/Forge or ComfyUI (with its own workflow). */
export function ImageProviderForm({ current }: { current: ProviderChoiceView }) {
  const t = useT()
  const save = useSettingsSave()
  const savedKind = (['offline', 'openai', 'automatic1111', 'comfyui'] as const).find((k) => k === current.kind) ?? 'offline'
  const [kind, setKind] = useState<Kind>(savedKind)
  const [baseURL, setBaseURL] = useState(current.baseURL ?? '')
  const [model, setModel] = useState(current.model ?? '')
  const [free, setFree] = useState(current.free === true)
  // Empty: keep the saved workflow. Text: a new one. The button clears it.
  const [workflow, setWorkflow] = useState('')
  const [workflowError, setWorkflowError] = useState<string | null>(null)
  useEffect(() => {
    setKind(savedKind)
    setBaseURL(current.baseURL ?? '')
    setModel(current.model ?? '')
    setFree(current.free === true)
    setWorkflow('')
  }, [savedKind, current.baseURL, current.model, current.free, current.hasWorkflow])

  const apply = (clearWorkflow = false) => {
    if (kind === 'offline') return void save({ providers: { image: { kind: 'offline' } } })
    if (kind === 'openai') return void save({ providers: { image: { kind: 'openai', baseURL, model, ...(free || current.free ? { free } : {}) } } })
    if (kind === 'automatic1111') return void save({ providers: { image: { kind: 'automatic1111', baseURL } } })
    let parsed: Record<string, unknown> | null | undefined
    if (clearWorkflow) parsed = null
    else if (workflow.trim()) {
      try {
        const value = JSON.parse(workflow) as unknown
        if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(t('image.workflowNotObject'))
        parsed = value as Record<string, unknown>
      } catch (err) {
        setWorkflowError(t('image.workflowInvalid', { reason: (err as Error).message }))
        return
      }
    }
    setWorkflowError(null)
    void save({ providers: { image: { kind: 'comfyui', baseURL, ...(parsed !== undefined ? { workflow: parsed } : {}) } } })
  }
  return (
    <form
      className="provider-form"
      data-testid="provider-form-image"
      onSubmit={(e) => {
        e.preventDefault()
        apply()
      }}
    >
      <h4>{t('settings.kind.image')}</h4>
      <Field label={t('settings.providerKind')} htmlFor="image-kind">
        <select
          id="image-kind"
          value={kind}
          onChange={(e) => {
            const next = e.target.value as Kind
            setKind(next)
            if (next !== savedKind) setBaseURL(DEFAULT_URLS[next])
          }}
          data-testid="image-kind"
        >
          <option value="offline">{t('image.offline')}</option>
          <option value="openai">{t('settings.openai')}</option>
          <option value="automatic1111">AUTOMATIC1111 / Forge</option>
          <option value="comfyui">ComfyUI</option>
        </select>
      </Field>
      {kind === 'openai' ? <EndpointFields id="image" baseURL={baseURL} onBaseURL={setBaseURL} model={model} onModel={setModel} free={free} onFree={setFree} /> : null}
      {kind === 'automatic1111' || kind === 'comfyui' ? (
        <>
          <EndpointFields id="image" baseURL={baseURL} onBaseURL={setBaseURL} placeholder={DEFAULT_URLS[kind]} />
          <p className="muted small">{t(kind === 'automatic1111' ? 'image.a1111Hint' : 'image.comfyHint')}</p>
        </>
      ) : null}
      {kind === 'comfyui' ? (
        <Field label={t('image.workflow')} htmlFor="image-workflow" hint={current.kind === 'comfyui' && current.hasWorkflow ? t('image.workflowSaved') : t('image.workflowBuiltIn')}>
          <textarea id="image-workflow" rows={5} spellCheck={false} value={workflow} onChange={(e) => setWorkflow(e.target.value)} placeholder='{"3": {"class_type": "KSampler", …}}' data-testid="image-workflow" />
        </Field>
      ) : null}
      {workflowError ? (
        <p className="form-error" role="alert" data-testid="image-workflow-error">
          {workflowError}
        </p>
      ) : null}
      <div className="inline-form">
        <Button type="submit" kind="primary" testId="image-save">
          {t('common.save')}
        </Button>
        {kind === 'comfyui' && current.kind === 'comfyui' && current.hasWorkflow ? (
          <Button onClick={() => apply(true)} testId="image-workflow-clear">
            {t('image.workflowClear')}
          </Button>
        ) : null}
      </div>
      {kind === 'openai' || kind === 'offline' ? <KeyField kind="image" hasKey={current.hasKey} enabled={savedKind === 'openai' && kind === 'openai'} /> : null}
    </form>
  )
}
