/**
 * How a client process answers the contract: the few commands it owns itself (the desktop's
 * reveal, export, open link, store a key) through the shared `dispatch` right here, everything
 * else forwarded unparsed to the engine, whose `dispatch` validates it. A request no command
 * could take (an unknown name, nesting deep enough to exhaust a recursive walk) is answered
 * here, before it crosses the port.
 */
import { isCommandName, type Result } from '../../shared/contract'
import { tooDeeplyNested } from '../../shared/json-depth'
import { dispatch } from '../api/dispatch'
import type { Handlers } from '../api/handler-map'

export type Route = (name: unknown, request: unknown) => Promise<Result<unknown>>

export function relay(engine: { call(command: string, request: unknown): Promise<Result<unknown>> }, local: Partial<Handlers> = {}): Route {
  const none = {} as Handlers
  return async (name, request) => {
    if (!isCommandName(name) || tooDeeplyNested(request) !== null) return dispatch(none, name, request)
    if (Object.hasOwn(local, name)) return dispatch(local as Handlers, name, request)
    return engine.call(name, request)
  }
}
