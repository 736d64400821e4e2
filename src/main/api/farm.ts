import type { FarmConnectionView } from '../../shared/farm'
import { FarmError } from '../engine/farm/errors'
import { checkFarmAddress, splitPassword, withPassword, type Resolve } from '../engine/farm/connection'
import type { Studio } from '../engine/studio'
import type { Routes } from './handler-map'

export interface FarmRouteOptions {
  /** Name resolution for the address check (default: the system's). */
  resolve?: Resolve
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
    return { queueUrl, hasPassword: queueUrl !== null && Boolean(secrets.get({ kind: 'farm' })) }
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
      settings.replace({ ...settings.get(), farm: { queueUrl } })
      return view()
    },
    // This computer's queue; a window on a farm is answered by the engine host (host/window-queue.ts).
    'farm/queue': () => ({ queueUrl: null, connected: true, problem: null }),
    'farm/disconnect': () => {
      secrets.set('farm', '')
      settings.replace({ ...settings.get(), farm: { queueUrl: null } })
      return view()
    }
  }
}
