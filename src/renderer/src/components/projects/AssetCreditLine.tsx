import type { AssetView } from '../../../../shared/types'
import { useT } from '../../i18n/use-t'

/**
 * "© Ana Lee · Pexels License" under a stock medium in the bin, linking to its page and its licence
 * (opened in the browser, never in the app's window). Nothing for the user's own media.
 */
export function AssetCreditLine({ asset }: { asset: AssetView }) {
  const t = useT()
  const c = asset.credit
  if (!c) return null
  return (
    <span className="muted small asset-credit" data-testid="asset-credit">
      {t('stock.creditBy', { author: c.author || t('stock.unknownAuthor') })}
      {' · '}
      <a href={c.licenceUrl ?? c.sourceUrl} target="_blank" rel="noreferrer noopener">
        {c.licence}
      </a>
      {' · '}
      <a href={c.sourceUrl} target="_blank" rel="noreferrer noopener">
        {t('stock.source')}
      </a>
    </span>
  )
}
