/**
 * "Export…" of a render: in the desktop app main copies the files where the user chooses (a
 * save dialog); in a browser showing `studio serve` each file is downloaded through its URL.
 */
import type { StudioApi } from '../../../../shared/contract'
import { getTransport } from '../../api/bridge'
import { call } from '../../api/context'
import { translate } from '../../i18n'
import { getStudio } from '../../store'
import { fileName } from '../common/format'

export function inDesktopApp(): boolean {
  return typeof window !== 'undefined' && window.api !== undefined && getTransport().kind === 'electron'
}

export async function exportFiles(api: StudioApi, paths: string[], desktop = inDesktopApp()): Promise<void> {
  if (!paths.length) return
  if (desktop) {
    const r = await call(api, 'system/exportFiles', { paths })
    if (r.ok && r.value.saved.length) {
      const s = getStudio()
      s.notify('success', translate(s.locale, 'storyboard.exported', { name: r.value.saved.map(fileName).join(', ') }))
    }
    return
  }
  for (const path of paths) {
    const a = document.createElement('a')
    a.href = api.fileUrl(path)
    a.download = fileName(path)
    a.rel = 'noopener'
    a.style.display = 'none'
    document.body.appendChild(a)
    a.click()
    a.remove()
  }
}
