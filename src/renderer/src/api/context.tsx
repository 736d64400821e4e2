import { createContext, useCallback, useContext, type ReactNode } from 'react'
import type { CommandName, RequestOf, ResponseOf, Result, StudioApi } from '../../../shared/contract'
import { getStudio } from '../store'
import { errorText } from './error-text'

const ApiContext = createContext<StudioApi | null>(null)

export function ApiProvider({ api, children }: { api: StudioApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>
}

export function useApi(): StudioApi {
  const api = useContext(ApiContext)
  if (!api) throw new Error('useApi outside <ApiProvider>')
  return api
}

export type Call = <C extends CommandName>(command: C, request: RequestOf<C>, options?: { quiet?: boolean }) => Promise<Result<ResponseOf<C>>>

/** The domain a command belongs to ("batch/start" → "batch"): what an `unavailable` answer disables. */
export function domainOf(command: string): string {
  return command.split('/')[0]!
}

/**
 * Invoke a command; a refusal is shown to the user with the server's own sentence (e.g. "job is
 * being processed; it cannot be reordered…"), and a domain that answers `unavailable` is marked
 * so its panel can say so instead of failing button by button.
 */
export async function call<C extends CommandName>(
  api: StudioApi,
  command: C,
  request: RequestOf<C>,
  options: { quiet?: boolean } = {}
): Promise<Result<ResponseOf<C>>> {
  let result: Result<ResponseOf<C>>
  try {
    result = await api.invoke(command, request)
  } catch (err) {
    result = { ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } }
  }
  const s = getStudio()
  if (!result.ok) {
    if (result.error.code === 'unavailable') s.markUnavailable(domainOf(command), result.error.message)
    else if (!options.quiet) s.notify('error', errorText(result.error, s.locale))
  } else if (s.unavailable[domainOf(command)]) {
    s.markUnavailable(domainOf(command), null)
  }
  return result
}

export function useCall(): Call {
  const api = useApi()
  return useCallback<Call>((command, request, options) => call(api, command, request, options), [api])
}
