/**
 * What a farm worker keeps on its own machine, as `studio run` builds it (studio.ts): the
 * settings (providers, binaries, concurrency, limits), the services steps use and the built-in
 * pipelines. The settings, projects and storyboards stores stay in a local SQLite file in the
 * worker's own folder (not on the share: SQLite over NFS/SMB is not safe): a farm worker runs with
 * this machine's settings. Storyboard renders' artifact cache and asset facts are the farm's (the
 * worker sets them, worker.ts); videos from project assets cannot run on the farm yet.
 * Artifacts, and the paths the pipelines check assets against, are under the shared data folder.
 */
import { join } from 'node:path'
import { ProjectStore } from '../projects'
import { builtinPipelines } from '../pipelines/builtin'
import type { PipelineRegistry } from '../pipelines/registry'
import { MemorySecrets, StudioServices } from '../services'
import { SettingsStore, type KeyedKind } from '../settings'
import { openDatabase, walFlushed, type Db } from '../store/database'
import { makePrivateDir } from '../store/private-files'
import { sqliteStores } from '../store/stores'

export interface WorkerLocal {
  db: Db
  settings: SettingsStore
  services: StudioServices
  pipelines: PipelineRegistry<StudioServices>
  close(): Promise<void>
}

export function openWorkerLocal(localDir: string, sharedDir: string, env: NodeJS.ProcessEnv): WorkerLocal {
  makePrivateDir(localDir)
  const db = openDatabase(join(localDir, 'studio.db'))
  const stores = sqliteStores(db)
  // Keys come from this machine's environment, as for `studio run`; never from the farm.
  const secrets = new MemorySecrets()
  const forgetKey = (kind: KeyedKind) => {
    const had = secrets.get({ kind, envName: '', baseURL: '' }) !== undefined
    secrets.set(kind, '')
    return had
  }
  const settings = new SettingsStore(stores.settings, { forgetKey })
  const services = new StudioServices(sharedDir, settings, stores, secrets, env)
  const projects = new ProjectStore(stores.projects, sharedDir)
  const pipelines = builtinPipelines({ dataDir: sharedDir, assetPath: (id) => projects.assetPath(id) })
  return {
    db,
    settings,
    services,
    pipelines,
    close: async () => {
      await walFlushed(db)
      db.close()
    }
  }
}
