import { join } from 'node:path'
import { mkdirSync } from 'node:fs'
import { ConfigError, listConfigs, loadConfig, saveConfig } from '../engine/batch/config'
import { estimateBatch } from '../engine/batch/estimate'
import { batchResultsCsv, jobHistoryCsv } from '../engine/batch/export'
import { MappingError, PUBLIC_ADDRESSES_ONLY, type NetworkPolicy } from '../engine/batch/sources'
import { RowSourceError } from '../engine/batch/sources/errors'
import { TemplateError } from '../engine/batch/templates'
import { doctor, speechSettingsOf } from '../engine/doctor'
import type { Engine } from '../engine/engine'
import { QueueError } from '../engine/errors'
import { settingsView } from '../engine/settings'
import { Studio } from '../engine/studio'
import { stockServiceOf } from '../engine/stock/service'
import { speechVoices } from '../engine/providers/voices'
import { renderSubtitlePreview } from '../engine/subtitle-preview'
import { createHandlers, type Handlers } from './handlers'
import { testProvider } from '../engine/providers/test-provider'
import { storyboardHandlers } from './storyboard-handlers'

/** How long batch/create waits for the import before answering with a batch still importing. */
const IMPORT_WAIT_MS = 1_500

/**
 * Every contract command wired to the studio running in this process. Both transports (Electron
 * IPC and the `studio serve` WebSocket bridge) get their handlers here, so they never differ.
 * A bare engine (tests with test pipelines) gets the engine commands only.
 */
export interface StudioHandlerOptions {
  /**
   * Which addresses a batch link may reach. A command comes from a page that could be compromised:
   * public internet addresses only (tests inject a resolver and a stand-in public server here).
   */
  network?: NetworkPolicy
}

export function studioHandlers(engine: Engine<any>, options: StudioHandlerOptions = {}): Handlers {
  if (!(engine instanceof Studio)) return createHandlers(engine)
  const studio = engine
  const { batches, projects, settings, services } = studio
  const network = options.network ?? PUBLIC_ADDRESSES_ONLY
  const configsDir = join(studio.dataDir, 'batch-configs')
  const view = () =>
    settingsView(settings.get(), services.providers().list(), {
      concurrency: studio.pool.getConcurrency(),
      resources: Object.fromEntries(studio.pool.limiter.status().map((r) => [r.resource, { concurrency: r.concurrency, minIntervalMs: r.minIntervalMs }]))
    })
  return createHandlers(studio, {
    ...storyboardHandlers(studio),
    'batch/preview': (r) => userErrors(() => batches.preview(r.source, r.sheet, r.config ?? {}, { network })),
    'batch/estimate': (r) => userErrors(() => estimateBatch(studio, { source: r.source, sheet: r.sheet, config: r.config ?? {} }, { network })),
    'batch/create': (r) =>
      userErrors(async () => {
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
    'providers/test': (r) => testProvider(services.providers()[r.kind]),
    'batch/remove': async (r) => {
      await batches.remove(r.id)
      return null
    },
    'batch/export': (r) => {
      const b = batches.require(r.id)
      const csv = r.what === 'history' ? jobHistoryCsv(studio.stores.batchReports, b.id, r.delimiter) : batchResultsCsv(studio.stores.batchReports, b.id, r.delimiter)
      return { fileName: `${b.name.replace(/[^\w.-]+/g, '_')}-${r.what}.csv`, csv }
    },
    'batch/configs/list': () =>
      userErrors(async () => {
        const names = await listConfigs(configsDir)
        return Promise.all(names.map(async (name) => ({ name, config: (await loadConfig(configsDir, name)) as Record<string, unknown> })))
      }),
    'batch/configs/save': (r) =>
      userErrors(async () => {
        mkdirSync(configsDir, { recursive: true })
        await saveConfig(configsDir, r.name, r.config)
        return null
      }),
    'queue/stats': () => ({ ...studio.queue.stats(), spend: studio.spendReport() }),
    'projects/list': () => projects.list(),
    'projects/create': (r) => projects.create(r.name),
    'assets/list': (r) => projects.assets(r.projectId),
    'assets/import': (r) => projects.importAsset(r.projectId, r.name, Buffer.from(r.contentBase64, 'base64')),
    'assets/remove': (r) => {
      projects.removeAsset(r.id)
      return null
    },
    'providers/voices': () => speechVoices(services.providers().speech),
    'stock/search': (r) => stockServiceOf(studio, network).search(r),
    'stock/import': (r) => stockServiceOf(studio, network).import(r.projectId, r.id, r.kind),
    'settings/get': () => view(),
    'settings/update': (r) =>
      userErrors(() => {
        settings.applyPatch(r)
        studio.applyPoolSettings()
        return view()
      }),
    'settings/setApiKey': (r) => {
      if (!services.secrets.set(r.kind, r.key)) throw new QueueError('unavailable', 'this process cannot store keys safely')
      services.invalidateProviders()
      return null
    },
    'settings/previewSubtitles': async (r) => {
      const s = settings.get()
      const { karaoke: _karaoke, ...style } = r.style ?? {}
      // The form's unsaved choices win: the preview shows what Save would give.
      const { png } = await renderSubtitlePreview({
        text: r.text,
        style: { ...s.subtitleStyle, ...style },
        preset: r.videoPreset ?? s.videoPreset,
        renderer: r.captionRenderer ?? s.captionRenderer,
        ffmpeg: services.binaries()
      })
      return { dataUrl: `data:image/png;base64,${png.toString('base64')}` }
    },
    // The speech row reports the engine these settings pick, as `studio doctor` does.
    'system/doctor': () => doctor(services.binaries(), speechSettingsOf(settings.get().providers))
  })
}

/** Errors of the user's making from the batch and settings modules become readable API errors. */
async function userErrors<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new QueueError('bad_request', err.message, err.details.map((i) => ({ ...i, path: ['config', ...i.path] })))
    }
    if (err instanceof MappingError || err instanceof RowSourceError || err instanceof TemplateError) {
      throw new QueueError('bad_request', err.message)
    }
    if (err instanceof Error && err.name === 'ZodError') throw new QueueError('bad_request', err.message)
    throw err
  }
}
