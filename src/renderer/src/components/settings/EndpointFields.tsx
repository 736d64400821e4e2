import { useT } from '../../i18n/use-t'
import { Field } from '../common/controls'

/** Base URL, and for an OpenAI-compatible server its model and "does not charge". */
export function EndpointFields({
  id,
  baseURL,
  onBaseURL,
  model,
  onModel,
  free,
  onFree,
  placeholder
}: {
  id: string
  baseURL: string
  onBaseURL: (v: string) => void
  model?: string
  onModel?: (v: string) => void
  free?: boolean
  onFree?: (v: boolean) => void
  placeholder?: string
}) {
  const t = useT()
  return (
    <>
      <Field label={t('settings.baseURL')} htmlFor={`${id}-url`}>
        <input id={`${id}-url`} type="url" value={baseURL} placeholder={placeholder} onChange={(e) => onBaseURL(e.target.value)} data-testid={`${id}-url`} />
      </Field>
      {onModel ? (
        <Field label={t('settings.model')} htmlFor={`${id}-model`}>
          <input id={`${id}-model`} value={model ?? ''} onChange={(e) => onModel(e.target.value)} data-testid={`${id}-model`} />
        </Field>
      ) : null}
      {onFree ? (
        <label className="check">
          <input type="checkbox" checked={free === true} onChange={(e) => onFree(e.target.checked)} data-testid={`${id}-free`} /> {t('settings.free')}
        </label>
      ) : null}
    </>
  )
}
