/**
 * Commands only the desktop app can answer: reveal a file in the OS file manager, open a web
 * link in the default browser, and store an API key in the OS keychain. Merged over
 * `studioHandlers(studio)` in main, so the contract is still served by one `dispatch` (which
 * validates each request with the contract's schema before these run).
 */
import { shell } from 'electron'
import type { Handlers } from '../api/handlers'
import { QueueError } from '../engine/errors'
import { isSafeExternalUrl, openExternalSafely } from './external'
import { resolveInsideRoots } from '../api/media-paths'
import type { SafeStorageSecrets } from './secrets'

export type DesktopHandlers = Pick<Handlers, 'system/reveal' | 'system/openExternal' | 'settings/setApiKey'>

export interface DesktopHandlerDeps {
  /** Folders whose files may be revealed (the studio data folder). */
  revealRoots: readonly string[]
  secrets: Pick<SafeStorageSecrets, 'set' | 'unavailableReason'>
  /** Drop cached providers so the next step uses the new key. */
  invalidateProviders: () => void
}

export function desktopHandlers(deps: DesktopHandlerDeps): DesktopHandlers {
  return {
    'system/reveal': async (request) => {
      await revealInFolder(deps.revealRoots, request.path)
      return null
    },
    'system/openExternal': async (request) => {
      if (!isSafeExternalUrl(request.url)) {
        throw new QueueError('bad_request', 'url: only http(s) links without a user name or password can be opened')
      }
      await openExternalSafely(request.url)
      return null
    },
    'settings/setApiKey': (request) => {
      const reason = request.key ? deps.secrets.unavailableReason() : null
      if (reason !== null) throw new QueueError('unavailable', reason)
      if (!deps.secrets.set(request.kind, request.key)) throw new QueueError('unavailable', 'the key could not be stored safely')
      deps.invalidateProviders()
      return null
    }
  }
}

/** Show a file (or folder) in Explorer / Finder / the file manager — only inside the data folder. */
export async function revealInFolder(roots: readonly string[], path: string): Promise<void> {
  const found = await resolveInsideRoots(roots, path, { directories: true })
  if ('status' in found) {
    throw new QueueError(found.status === 404 ? 'not_found' : 'forbidden', `path: ${found.message}`)
  }
  shell.showItemInFolder(found.path)
}
