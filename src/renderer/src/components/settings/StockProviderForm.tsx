import type { ProviderChoiceView } from '../../../../shared/types'
import { useT } from '../../i18n/use-t'
import { KeyField } from './KeyField'
import { useSettingsSave } from './save'

/** Stock photos and videos (Pexels): on or off, and the key (write-only). */
export function StockProviderForm({ current }: { current: ProviderChoiceView }) {
  const t = useT()
  const save = useSettingsSave()
  const on = current.kind === 'pexels'
  return (
    <div className="provider-form" data-testid="provider-form-stock">
      <h4>{t('stock.title')}</h4>
      <label className="check">
        <input type="checkbox" checked={on} onChange={(e) => void save({ providers: { stock: { kind: e.target.checked ? 'pexels' : 'none' } } })} data-testid="stock-on" />{' '}
        {t('stock.enable')}
      </label>
      <p className="muted small">{t('stock.hint')}</p>
      {on ? <KeyField kind="stock" hasKey={current.hasKey} enabled hint={t('stock.keyHint')} /> : null}
    </div>
  )
}
