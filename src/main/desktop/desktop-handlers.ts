/**
 * Commands only the desktop app can answer: reveal a file in the OS file manager, open a web
 * link in the default browser, and store an API key in the OS keychain. Merged over
 * `studioHandlers(studio)` in main, so the contract is still served by one `dispatch` (which
 * validates each request with the contract's schema before these run).
 */
import { copyFile } from 'node:fs/promises'
import { basename, dirname, extname, join } from 'node:path'
import { dialog, shell } from 'electron'
import type { ApiError, Result } from '../../shared/contract'
import type { Handlers } from '../api/handlers'
import { QueueError, StudioError } from '../engine/errors'
import { splitPassword } from '../../shared/farm'
import { isSafeExternalUrl, openExternalSafely } from './external'
import { resolveInsideRoots } from '../api/media-paths'
import type { SafeStorageSecrets } from './secrets'

export type DesktopHandlers = Pick<Handlers, 'system/reveal' | 'system/openExternal' | 'settings/setApiKey' | 'system/exportFiles' | 'system/pickFolder' | 'farm/connect'>

export interface DesktopHandlerDeps {
  /** Folders whose files may be revealed or exported (the studio data folder; a farm share's media while the window is on the farm). */
  revealRoots: readonly string[] | (() => Promise<readonly string[]>)
  secrets: Pick<SafeStorageSecrets, 'set' | 'unavailableReason'> & Partial<Pick<SafeStorageSecrets, 'get'>>
  /** Hand the keys to the engine again (its process holds them in memory); the next step uses the new key. */
  invalidateProviders: () => void | Promise<void>
  /** A contract command answered by the engine (farm/connect, once main holds the farm's password). */
  forward?: (command: 'farm/connect', request: unknown) => Promise<Result<unknown>>
}

/** The engine's refusal, answered as it came (code, message, issues). */
class EngineRefusal extends StudioError {
  constructor(private readonly error: ApiError) {
    super(error.code, error.message)
  }
  override apiIssues() {
    return this.error.issues
  }
}

export function desktopHandlers(deps: DesktopHandlerDeps): DesktopHandlers {
  return {
    'system/reveal': async (request) => {
      await revealInFolder(await rootsOf(deps.revealRoots), request.path)
      return null
    },
    'system/exportFiles': async (request) => ({ saved: await exportFiles(await rootsOf(deps.revealRoots), request.paths) }),
    // Only a path the user chose: the page fills a field with it, and the engine checks it when saved.
    'system/pickFolder': async (request) => {
      const choice = await dialog.showOpenDialog({ ...(request.title ? { title: request.title } : {}), properties: ['openDirectory', 'createDirectory'] })
      return { path: choice.canceled ? null : (choice.filePaths[0] ?? null) }
    },
    'system/openExternal': async (request) => {
      if (!isSafeExternalUrl(request.url)) {
        throw new QueueError('bad_request', 'url: only http(s) links without a user name or password can be opened')
      }
      await openExternalSafely(request.url)
      return null
    },
    'settings/setApiKey': async (request) => {
      const reason = request.key ? deps.secrets.unavailableReason() : null
      if (reason !== null) throw new QueueError('unavailable', reason)
      if (!deps.secrets.set(request.kind, request.key)) throw new QueueError('unavailable', 'the key could not be stored safely')
      await deps.invalidateProviders()
      return null
    },
    // The farm's password is a secret like a key: main stores it (safeStorage) and hands it to the
    // engine, which tests the farm and saves the URL without it. A refused connection puts the
    // password that was stored before back.
    'farm/connect': async (request) => {
      if (!deps.forward) throw new QueueError('unavailable', 'farm/connect is not available in this session')
      const { password } = splitPassword(request.queueUrl)
      const reason = password ? deps.secrets.unavailableReason() : null
      if (reason !== null) {
        throw new StudioError('farm_password_not_stored', 'queueUrl: this computer has no keyring to keep the password encrypted: connect without it and keep it in ~/.pgpass', { field: 'queueUrl' })
      }
      const before = deps.secrets.get?.({ kind: 'farm' }) ?? ''
      deps.secrets.set('farm', password)
      await deps.invalidateProviders()
      const answer = await deps.forward('farm/connect', request)
      if (answer.ok) return answer.value as Awaited<ReturnType<Handlers['farm/connect']>>
      deps.secrets.set('farm', before)
      await deps.invalidateProviders()
      throw new EngineRefusal(answer.error)
    }
  }
}

const rootsOf = async (roots: DesktopHandlerDeps['revealRoots']): Promise<readonly string[]> => (typeof roots === 'function' ? roots() : roots)

/** Show a file (or folder) in Explorer / Finder / the file manager — only inside the data folder. */
export async function revealInFolder(roots: readonly string[], path: string): Promise<void> {
  const found = await resolveInsideRoots(roots, path, { directories: true })
  if ('status' in found) {
    throw new QueueError(found.status === 404 ? 'not_found' : 'forbidden', `path: ${found.message}`)
  }
  shell.showItemInFolder(found.path)
}

/**
 * "Export…": the first file (a render's MP4) is saved where the user chooses in a save dialog;
 * the others (its SRT) are copied beside it under the same name, so the pair stays together.
 * Only files of the data folder are read. Cancelled: nothing is copied, an empty list answers.
 */
export async function exportFiles(roots: readonly string[], paths: readonly string[]): Promise<string[]> {
  const sources: string[] = []
  for (const path of paths) {
    const found = await resolveInsideRoots(roots, path, {})
    if ('status' in found) throw new QueueError(found.status === 404 ? 'not_found' : 'forbidden', `paths: ${found.message}`)
    sources.push(found.path)
  }
  const first = sources[0]!
  const choice = await dialog.showSaveDialog({ defaultPath: basename(first), properties: ['createDirectory', 'showOverwriteConfirmation'] })
  if (choice.canceled || !choice.filePath) return []
  const target = extname(choice.filePath) ? choice.filePath : choice.filePath + extname(first)
  const stem = join(dirname(target), basename(target, extname(target)))
  const saved: string[] = []
  for (const [i, source] of sources.entries()) {
    const to = i === 0 ? target : stem + extname(source)
    await copyFile(source, to)
    saved.push(to)
  }
  return saved
}
