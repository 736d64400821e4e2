import { useState } from 'react'
import type { ProviderChoiceView } from '../../../../shared/types'
import { useT } from '../../i18n/use-t'
import { Button, Field } from '../common/controls'
import { useAutosave, type SettingsPatchInput } from './autosave'
import { EndpointFields } from './EndpointFields'
import { FieldError } from './FieldError'
import { KeyField } from './KeyField'
import { TestConnection } from './TestConnection'

type Kind = 'offline' | 'openai' | 'automatic1111' | 'comfyui'
const DEFAULT_URLS: Record<Kind, string> = { offline: '', openai: 'https://api.openai.com/v1', automatic1111: 'http://127.0.0.1:7860', comfyui: 'http://127.0.0.1:8188' }

interface ImageDraft {
  kind: Kind
  baseURL: string
  model: string
  free: boolean
  /** ComfyUI: undefined keeps the saved workflow, null goes back to the built-in one. */
  workflow?: Record<string, unknown> | null
}

function toPatch(d: ImageDraft, wasFree: boolean): SettingsPatchInput {
  if (d.kind === 'offline') return { providers: { image: { kind: 'offline' } } }
  if (d.kind === 'openai') return { providers: { image: { kind: 'openai', baseURL: d.baseURL, model: d.model, ...(d.free || wasFree ? { free: d.free } : {}) } } }
  if (d.kind === 'automatic1111') return { providers: { image: { kind: 'automatic1111', baseURL: d.baseURL } } }
  return { providers: { image: { kind: 'comfyui', baseURL: d.baseURL, ...(d.workflow !== undefined ? { workflow: d.workflow } : {}) } } }
}

/** Pictures: title cards (offline), an OpenAI-compatible server, or a local AUTOMATIC1111/Forge or ComfyUI (with its own workflow). */
export function ImageProviderForm({ current }: { current: ProviderChoiceView }) {
  const t = useT()
  const savedKind: Kind = (['offline', 'openai', 'automatic1111', 'comfyui'] as const).find((k) => k === current.kind) ?? 'offline'
  const saved: ImageDraft = { kind: savedKind, baseURL: current.baseURL ?? '', model: current.model ?? '', free: current.free === true }
  const image = useAutosave<ImageDraft>('providers.image', saved, (d) => toPatch(d, current.free === true), { path: ['providers', 'image'] })
  const d = image.value
  const edit = (patch: Partial<ImageDraft>, delayed = true) => image.set({ ...d, ...patch }, delayed)
  // The pasted text: saved once it parses; until then it says why not.
  const [workflowText, setWorkflowText] = useState('')
  const [workflowError, setWorkflowError] = useState<string | null>(null)
  const pasteWorkflow = (text: string) => {
    setWorkflowText(text)
    if (!text.trim()) return setWorkflowError(null)
    try {
      const value = JSON.parse(text) as unknown
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(t('image.workflowNotObject'))
      setWorkflowError(null)
      edit({ workflow: value as Record<string, unknown> })
    } catch (err) {
      setWorkflowError(t('image.workflowInvalid', { reason: (err as Error).message }))
    }
  }
  return (
    <form className="provider-form" data-testid="provider-form-image" onSubmit={(e) => e.preventDefault()}>
      <h4>{t('settings.kind.image')}</h4>
      <Field label={t('settings.providerKind')} htmlFor="image-kind">
        <select
          id="image-kind"
          value={d.kind}
          onChange={(e) => {
            const kind = e.target.value as Kind
            image.set(kind === savedKind ? saved : { kind, baseURL: DEFAULT_URLS[kind], model: '', free: false }, kind !== 'openai')
          }}
          data-testid="image-kind"
        >
          <option value="offline">{t('image.offline')}</option>
          <option value="openai">{t('settings.openai')}</option>
          <option value="automatic1111">AUTOMATIC1111 / Forge</option>
          <option value="comfyui">ComfyUI</option>
        </select>
      </Field>
      {d.kind === 'openai' ? (
        <EndpointFields id="image" baseURL={d.baseURL} onBaseURL={(baseURL) => edit({ baseURL })} model={d.model} onModel={(model) => edit({ model })} free={d.free} onFree={(free) => edit({ free }, false)} />
      ) : null}
      {d.kind === 'automatic1111' || d.kind === 'comfyui' ? (
        <>
          <EndpointFields id="image" baseURL={d.baseURL} onBaseURL={(baseURL) => edit({ baseURL })} placeholder={DEFAULT_URLS[d.kind]} />
          <p className="muted small">{t(d.kind === 'automatic1111' ? 'image.a1111Hint' : 'image.comfyHint')}</p>
        </>
      ) : null}
      {d.kind === 'comfyui' ? (
        <>
          <Field label={t('image.workflow')} htmlFor="image-workflow" hint={current.kind === 'comfyui' && current.hasWorkflow ? t('image.workflowSaved') : t('image.workflowBuiltIn')}>
            <textarea id="image-workflow" rows={5} spellCheck={false} value={workflowText} onChange={(e) => pasteWorkflow(e.target.value)} placeholder='{"3": {"class_type": "KSampler", …}}' data-testid="image-workflow" />
          </Field>
          <FieldError error={workflowError} testId="image-workflow-error" />
          {current.kind === 'comfyui' && current.hasWorkflow ? (
            <Button
              onClick={() => {
                setWorkflowText('')
                edit({ workflow: null }, false)
              }}
              testId="image-workflow-clear"
            >
              {t('image.workflowClear')}
            </Button>
          ) : null}
        </>
      ) : null}
      <FieldError error={image.error} testId="image-error" />
      {d.kind === 'openai' || d.kind === 'offline' ? <KeyField kind="image" hasKey={current.hasKey} enabled={savedKind === 'openai' && d.kind === 'openai'} /> : null}
      <TestConnection kind="image" />
    </form>
  )
}
