/**
 * Media the user dropped on (or picked for) a project, imported by path: the engine copies each
 * file on disk, so a clip of several GB is never read by the page nor sent as base64.
 *
 * Why a channel of its own and not a contract command: the contract refuses file paths on
 * purpose, since a compromised page must not be able to import ~/.ssh/id_rsa and read it back.
 * Here the page never chooses a path. The preload computes each one from a File object with
 * Electron's `webUtils.getPathForFile`, which returns '' for any File the page built itself:
 * only files the user really dropped or picked have one. The browser transport (`studio serve`)
 * has no such thing and keeps `assets/import` with the bytes.
 */
import { basename } from 'node:path'
import { ipcMain } from 'electron'
import { z } from 'zod'
import type { ImportDroppedResult, Result } from '../../shared/contract'
import { describeZodError } from '../../shared/schemas'
import { toApiError } from '../api/errors'
import type { ProjectStore } from '../engine/projects'
import type { SenderCheck } from './ipc'

/** = IMPORT_DROPPED_CHANNEL in src/preload/index.ts (asserted by a test). */
export const IMPORT_DROPPED_CHANNEL = 'studio:import-dropped'

export const ImportDroppedRequest = z.strictObject({
  projectId: z.string().min(1).max(200),
  files: z
    .array(z.strictObject({ path: z.string().min(1, 'path is empty').max(4096, 'path is too long') }))
    .min(1, 'no file given')
    .max(100, 'at most 100 files at a time')
})

const REFUSED: Result<never> = {
  ok: false,
  error: { code: 'forbidden', message: 'refused: this request did not come from the Creative Studio window' }
}

/** Register the channel (same sender check as contract commands); returns a function that removes it. */
export function registerDroppedFilesHandler(
  projects: Pick<ProjectStore, 'importAssetFile'>,
  isTrusted: SenderCheck,
  log: (message: string) => void = console.warn
): () => void {
  ipcMain.handle(IMPORT_DROPPED_CHANNEL, async (event, request: unknown): Promise<Result<ImportDroppedResult>> => {
    // Checked before anything else: an iframe or a foreign page gets nothing, not even validation.
    if (!isTrusted(event)) {
      log(`ipc ${IMPORT_DROPPED_CHANNEL} refused from a frame that is not the app page`)
      return REFUSED
    }
    const parsed = ImportDroppedRequest.safeParse(request ?? {})
    if (!parsed.success) {
      return { ok: false, error: { code: 'bad_request', message: `${IMPORT_DROPPED_CHANNEL}: ${describeZodError(parsed.error, 'request')}` } }
    }
    const { projectId, files } = parsed.data
    const result: ImportDroppedResult = { imported: [], refused: [] }
    // One at a time (they are big files on one disk); one refused file does not stop the others.
    for (const { path } of files) {
      const name = basename(path)
      try {
        result.imported.push(await projects.importAssetFile(projectId, name, path))
      } catch (err) {
        result.refused.push({ name, reason: toApiError(err).message })
      }
    }
    return { ok: true, value: result }
  })
  return () => ipcMain.removeHandler(IMPORT_DROPPED_CHANNEL)
}
