import type { FarmConnectionView } from '../../shared/farm'
import { FarmError, FarmShareRefused } from '../engine/farm/errors'
import { checkFarmAddress, splitPassword, withPassword, type Resolve } from '../engine/farm/connection'
import type { Studio } from '../engine/studio'
import type { Routes } from './handler-map'

export interface FarmRouteOptions {
  /** Name resolution for the address check (default: the system's). */
  resolve?: Resolve
}

/**
 * Saves where the farm's shared folder is mounted on this computer, once checked against the farm
 * `url` (the window's: the settings' farm, or `serve --queue-url`'s): it works here and is that
 * farm's (share-mark.ts). Null or empty forgets it (the data folder is the share again).
 */
export async function saveSharedDir(studio: Studio, requested: string | null, url: string | null, resolve?: Resolve): Promise<void> {
  const { settings } = studio
  const dir = requested?.trim() ? requested.trim() : null
  if (dir !== null) {
    if (url === null) throw new FarmShareRefused('not-connected', 'connect to a farm first: the folder is checked against the farm')
    await checkFarmAddress(url, resolve)
    const check = await (await import('../engine/farm/share-mark')).checkFarmShare(url, dir)
    if (!check.ok) throw new FarmShareRefused(check.problem, check.reason)
  }
  settings.replace({ ...settings.get(), farm: { ...settings.get().farm, sharedDir: dir } })
}

/**
 * farm/*: Settings → "Studio farm". The URL a page sends was checked by the contract (scheme, host,
 * port, no option naming a file); here its address is checked (connection.ts says which are
 * allowed and why) before anything connects. The password is split off and kept with the keys:
 * a page only ever sees the URL without it, and whether one is stored.
 */
export function farmRoutes(studio: Studio, options: FarmRouteOptions = {}): Routes<'farm/'> {
  const { settings, services } = studio
  const secrets = services.secrets
  const view = (): FarmConnectionView => {
    const queueUrl = settings.get().farm.queueUrl
    return { queueUrl, hasPassword: queueUrl !== null && Boolean(secrets.get({ kind: 'farm' })), sharedDir: settings.get().farm.sharedDir }
  }
  const savedUrl = (): string => {
    const queueUrl = settings.get().farm.queueUrl
    if (queueUrl === null) throw new FarmError('farm-not-connected', 'this studio is not connected to a farm: give its queue URL and connect', 'queueUrl')
    return withPassword(queueUrl, secrets.get({ kind: 'farm' }))
  }
  const probe = async (url: string) => {
    await checkFarmAddress(url, options.resolve)
    // Loaded when used: the PostgreSQL client stays out of a studio that never sees a farm.
    return (await import('../engine/farm/probe')).probeFarm(url)
  }
  return {
    'farm/get': () => view(),
    'farm/test': (r) => probe(r.queueUrl ?? savedUrl()),
    'farm/status': async () => {
      const url = savedUrl()
      await checkFarmAddress(url, options.resolve)
      return (await import('../engine/farm/commands')).farmStatus(url)
    },
    'farm/connect': async (r) => {
      // Only a farm that answers is saved: a mistyped host would otherwise be found out later, elsewhere.
      await probe(r.queueUrl)
      const { queueUrl, password } = splitPassword(r.queueUrl)
      if (!secrets.set('farm', password)) {
        throw new FarmError('farm-password-not-stored', 'queueUrl: this computer cannot store the password safely (no keyring); connect without one and give it in ~/.pgpass', 'queueUrl')
      }
      settings.replace({ ...settings.get(), farm: { ...settings.get().farm, queueUrl } })
      return view()
    },
    // This computer's queue; a window on a farm is answered by the engine host (host/window-queue.ts).
    'farm/queue': () => ({ queueUrl: null, connected: true, problem: null }),
    'farm/disconnect': () => {
      secrets.set('farm', '')
      // The share's place on this computer stays: connecting again finds it.
      settings.replace({ ...settings.get(), farm: { ...settings.get().farm, queueUrl: null } })
      return view()
    },
    // The settings' farm; a window on `serve --queue-url`'s farm checks against that one (host/window-queue.ts).
    'farm/setSharedDir': async (r) => {
      const queueUrl = settings.get().farm.queueUrl
      await saveSharedDir(studio, r.sharedDir, queueUrl === null ? null : savedUrl(), options.resolve)
      return view()
    }
  }
}
