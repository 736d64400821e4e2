import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { listConfigs, loadConfig, saveConfig } from '../engine/batch/config'
import { estimateBatch } from '../engine/batch/estimate'
import { batchResultsCsv, jobHistoryCsv } from '../engine/batch/export'
import type { NetworkPolicy } from '../engine/batch/sources'
import type { Studio } from '../engine/studio'
import type { Routes } from './handler-map'
import { refuseZodErrors } from './zod-refusal'

/** How long batch/create waits for the import before answering with a batch still importing. */
const IMPORT_WAIT_MS = 1_500

/**
 * batch/*: sheets of rows made into jobs. A batch's config, template or sheet errors are the
 * user's (StudioErrors with code bad_request): dispatch answers them field by field.
 */
export function batchRoutes(studio: Studio, network: NetworkPolicy): Routes<'batch/'> {
  const { batches } = studio
  const configsDir = join(studio.dataDir, 'batch-configs')
  return {
    'batch/preview': (r) => refuseZodErrors(() => batches.preview(r.source, r.sheet, r.config ?? {}, { network })),
    'batch/estimate': (r) => refuseZodErrors(() => estimateBatch(studio, { source: r.source, sheet: r.sheet, config: r.config ?? {} }, { network })),
    'batch/create': (r) =>
      refuseZodErrors(async () => {
        // A small sheet is imported before the answer (its errors show in the dialog); a large one
        // shows up at once and reports its import progress on the dashboard.
        const created = await batches.create(
          { source: r.source, sheet: r.sheet, name: r.name, projectId: r.projectId, config: r.config },
          { waitMs: IMPORT_WAIT_MS, network }
        )
        return r.start && created.status === 'idle' ? batches.startBatch(created.id) : created
      }),
    'batch/list': () => batches.list(),
    'batch/get': (r) => batches.view(r.id),
    'batch/start': (r) => batches.startBatch(r.id),
    'batch/pause': (r) => batches.pause(r.id),
    'batch/resume': (r) => batches.resume(r.id),
    'batch/stop': (r) => batches.stopBatch(r.id),
    'batch/retryFailed': (r) => batches.retryFailed(r.id),
    'batch/reset': (r) => batches.reset(r.id),
    'batch/rows': (r) => batches.rowsPage(r.id, { status: r.status, offset: r.offset, limit: r.limit }),
    'batch/retryRows': (r) => batches.retryRows(r.id, r.rows),
    'batch/remove': async (r) => {
      await batches.remove(r.id)
      return null
    },
    'batch/export': (r) => {
      const b = batches.require(r.id)
      const csv = r.what === 'history' ? jobHistoryCsv(studio.db, b.id, r.delimiter) : batchResultsCsv(studio.db, b.id, r.delimiter)
      return { fileName: `${b.name.replace(/[^\w.-]+/g, '_')}-${r.what}.csv`, csv }
    },
    'batch/configs/list': () =>
      refuseZodErrors(async () => {
        const names = await listConfigs(configsDir)
        return Promise.all(names.map(async (name) => ({ name, config: (await loadConfig(configsDir, name)) as Record<string, unknown> })))
      }),
    'batch/configs/save': (r) =>
      refuseZodErrors(async () => {
        mkdirSync(configsDir, { recursive: true })
        await saveConfig(configsDir, r.name, r.config)
        return null
      })
  }
}
