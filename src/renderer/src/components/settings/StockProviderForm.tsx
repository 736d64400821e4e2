import type { ProviderChoiceView } from '../../../../shared/types'
import { useT } from '../../i18n/use-t'
import { useAutosave } from './autosave'
import { FieldError } from './FieldError'
import { KeyField } from './KeyField'

/** Stock photos and videos (Pexels): on or off (saved at once), and the key (write-only). */
export function StockProviderForm({ current }: { current: ProviderChoiceView }) {
  const t = useT()
  const stock = useAutosave<boolean>('providers.stock', current.kind === 'pexels', (on) => ({ providers: { stock: { kind: on ? 'pexels' : 'none' } } }), { path: ['providers', 'stock'] })
  return (
    <div className="provider-form" data-testid="provider-form-stock">
      <h4>{t('stock.title')}</h4>
      <label className="check">
        <input type="checkbox" checked={stock.value} onChange={(e) => stock.set(e.target.checked, false)} data-testid="stock-on" /> {t('stock.enable')}
      </label>
      <p className="muted small">{t('stock.hint')}</p>
      <FieldError error={stock.error} testId="stock-error" />
      {stock.value ? <KeyField kind="stock" hasKey={current.hasKey} enabled hint={t('stock.keyHint')} /> : null}
    </div>
  )
}
