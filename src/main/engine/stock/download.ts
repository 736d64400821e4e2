import { randomUUID } from 'node:crypto'
import { open, rm } from 'node:fs/promises'
import { isIP } from 'node:net'
import { join } from 'node:path'
import { QueueError } from '../errors'
import { httpGet } from '../batch/sources/http-fetch'
import { RowSourceError } from '../batch/sources/errors'
import type { NetworkPolicy } from '../batch/sources/address-policy'
import { makePrivateDir, PRIVATE_FILE_MODE } from '../store/private-files'
import { DEFAULT_PEXELS_BASE_URL } from './pexels-api'

/**
 * Whether a download address named in the library's answer is the library's own: the official
 * API's media live on https *.pexels.com; a server the user configured instead (a proxy, a
 * mirror, the tests' fake) serves its media from its own origin. Anything else — another host, a
 * port of this computer — is refused before any connection is made.
 */
export function isProviderMediaUrl(url: string, baseURL: string): boolean {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  if (u.username || u.password) return false
  const base = new URL(baseURL)
  if (base.origin === new URL(DEFAULT_PEXELS_BASE_URL).origin) {
    return u.protocol === 'https:' && (u.hostname === 'pexels.com' || u.hostname.endsWith('.pexels.com')) && u.port === ''
  }
  return u.origin === base.origin
}

/**
 * The addresses a media download may reach: public ones only (the command API's rule, checked on
 * the resolved address and after every redirect), plus the address of a server the user set in
 * the stock settings themselves when it is given as an IP or as localhost — settings the command
 * API cannot change — so a library mirror on this computer or network still works.
 */
export function mediaPolicy(network: NetworkPolicy, baseURL: string): NetworkPolicy {
  const host = new URL(baseURL).hostname.replace(/^\[(.*)\]$/, '$1')
  const trusted = isIP(host) ? [host] : host === 'localhost' ? ['127.0.0.1', '::1'] : []
  if (trusted.length === 0) return network
  return { ...network, treatAsPublic: (address) => trusted.includes(address) || network.treatAsPublic?.(address) === true }
}

export interface DownloadOptions {
  network: NetworkPolicy
  /** Where the file is written (a folder on the data folder's disk, so the asset is a rename away). */
  folder: string
  maxBytes: number
  field: string
  signal?: AbortSignal
}

/** Stream a medium to a private temp file; returns its path. Refused addresses never get a connection. */
export async function downloadMedia(url: string, options: DownloadOptions): Promise<string> {
  makePrivateDir(options.folder)
  const path = join(options.folder, `${randomUUID()}.part`)
  let body
  try {
    body = await httpGet(url, { timeoutMs: 30_000, attempts: 3, retryDelayMs: 500, network: options.network, field: options.field, accept: 'image/*,video/*', signal: options.signal })
  } catch (err) {
    throw asQueueError(err)
  }
  const file = await open(path, 'wx', PRIVATE_FILE_MODE)
  let written = 0
  try {
    for (;;) {
      const { done, value } = await body.next()
      if (done) break
      written += value.byteLength
      if (written > options.maxBytes) throw new QueueError('too_large', `${options.field}: the file is larger than ${Math.round(options.maxBytes / 1e6)} MB`)
      await file.write(value)
    }
    await file.sync()
  } catch (err) {
    body.destroy()
    await file.close()
    await rm(path, { force: true })
    throw asQueueError(err)
  }
  await file.close()
  return path
}

function asQueueError(err: unknown): unknown {
  if (err instanceof QueueError) return err
  if (err instanceof RowSourceError) return new QueueError(err.code === 'FORBIDDEN_ADDRESS' ? 'forbidden' : err.code === 'NOT_FOUND' ? 'not_found' : 'provider_error', err.message)
  return err
}
