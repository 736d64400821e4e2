/**
 * A farm's routes for a window: a link that drops (the farm restarting, a cut network) answers
 * `farm_unreachable`, which the window words and recovers from, never an internal error.
 */
import type { CommandName } from '../../shared/contract'
import { StudioError } from '../engine/errors'
import { FarmError } from '../engine/farm/errors'
import type { Handlers } from './handler-map'

/** Each route's dropped link answered as the farm being unreachable (asFarmError), in place. */
export function withFarmErrors<R extends Partial<Handlers>>(routes: R, where: string): R {
  for (const name of Object.keys(routes) as CommandName[]) {
    const handler = (routes as Record<string, unknown>)[name] as (request: unknown) => unknown
    ;(routes as Record<string, unknown>)[name] = async (request: unknown) => {
      try {
        return await handler(request)
      } catch (err) {
        throw asFarmError(err, where)
      }
    }
  }
  return routes
}

/** A dropped or refused connection is the farm being unreachable, said as such; anything else is passed on. */
function asFarmError(err: unknown, where: string): unknown {
  if (err instanceof StudioError) return err
  const e = err as { code?: unknown; message?: unknown }
  const code = typeof e.code === 'string' ? e.code : ''
  const message = typeof e.message === 'string' ? e.message : String(err)
  const link =
    /^(ECONN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|ENOTFOUND|EAI_AGAIN)/.test(code) ||
    /^(08|57P)/.test(code) ||
    /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(message)
  if (!link) return err
  return new FarmError('farm-unreachable', `the farm at ${where} did not answer (${message}); the window will reconnect when it is back`, undefined, { cause: err })
}
