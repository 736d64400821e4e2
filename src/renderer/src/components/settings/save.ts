import type { RequestOf } from '../../../../shared/contract'
import { useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { getStudio } from '../../store'

/** The settings page's saving model: a section saves its own part with settings/update, and the answer becomes the settings shown. */
export function useSettingsSave(): (patch: RequestOf<'settings/update'>) => Promise<boolean> {
  const call = useCall()
  const t = useT()
  return async (patch) => {
    const r = await call('settings/update', patch)
    if (r.ok) {
      getStudio().setSettings(r.value)
      getStudio().notify('success', t('settings.saved'))
    }
    return r.ok
  }
}
