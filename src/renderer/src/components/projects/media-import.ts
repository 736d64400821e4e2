import { assetKindOf } from '../../../../shared/asset-kinds'
import type { ImportDroppedResult, Result, StudioApi } from '../../../../shared/contract'
import { call } from '../../api/context'
import { errorText } from '../../api/error-text'
import { translate } from '../../i18n'
import { getStudio } from '../../store'
import { readAsBase64 } from '../common/format'

/** What a project takes as an asset: by extension, as the engine files it (shared/asset-kinds). */
export function isMediaFile(file: File): boolean {
  return assetKindOf(file.name) !== 'other'
}

/** `assets/import` carries base64 of 4 MB at most (the contract's limit, under the bridge's message cap). */
export const MAX_UPLOAD_BYTES = 4 * 1024 * 1024

/**
 * Import dropped or picked media into a project as assets; every file refused is reported to the
 * user by name. In the desktop app main copies them from disk (`importDropped`: any size, nothing
 * read here); in a browser (`studio serve`) `importDropped` streams each file to the server
 * (POST /upload, any size). Only an API without it sends small files by `assets/import`, base64.
 */
export async function importMedia(api: StudioApi, projectId: string, files: readonly File[]): Promise<{ media: number; imported: number }> {
  const media = files.filter(isMediaFile)
  if (!media.length) return { media: 0, imported: 0 }
  const s = getStudio()
  const refuse = (name: string, error: { code: string; message: string }) => {
    const text = errorText(error, s.locale)
    s.notify('error', text.includes(name) ? text : `${name}: ${text}`)
  }
  if (api.importDropped) {
    let r: Result<ImportDroppedResult>
    try {
      r = await api.importDropped(projectId, media)
    } catch (err) {
      r = { ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } }
    }
    if (!r.ok) {
      const names = media.map((f) => f.name)
      refuse(names.length > 3 ? `${names.slice(0, 3).join(', ')} (+${names.length - 3})` : names.join(', '), r.error)
      return { media: media.length, imported: 0 }
    }
    for (const asset of r.value.imported) s.upsertAsset(asset)
    for (const { name, reason } of r.value.refused) refuse(name, { code: 'bad_request', message: reason })
    return { media: media.length, imported: r.value.imported.length }
  }
  let imported = 0
  for (const file of media) {
    if (file.size > MAX_UPLOAD_BYTES) {
      s.notify('error', translate(s.locale, 'projects.tooLarge', { name: file.name }))
      continue
    }
    let contentBase64: string
    try {
      contentBase64 = await readAsBase64(file)
    } catch (err) {
      refuse(file.name, { code: 'bad_request', message: `cannot read it (${err instanceof Error ? err.message : String(err)})` })
      continue
    }
    // Quiet: the refusal is shown here, with the file's name (an `unavailable` domain is still marked).
    const r = await call(api, 'assets/import', { projectId, name: file.name, contentBase64 }, { quiet: true })
    if (r.ok) {
      s.upsertAsset(r.value)
      imported++
    } else if (r.error.code !== 'unavailable') refuse(file.name, r.error)
  }
  return { media: media.length, imported }
}
