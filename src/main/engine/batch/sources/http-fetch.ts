import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP } from 'node:net'
import type { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib'
import { formatMs } from '../../../../shared/format-ms'
import { parseRetryAfter } from '../../errors'
import { bareHostname, checkAddress, checkedLookup, ForbiddenAddressError, type NetworkPolicy } from './address-policy'
import type { ByteSource } from './byte-source'
import { RowSourceError, abortReason, describeCause } from './errors'
import { redactUrl } from './redact-url'

export interface HttpGetOptions {
  /** Per attempt: time for the response headers, then the longest silence allowed between body chunks. */
  timeoutMs: number
  /** Total attempts for network errors, timeouts, 408/429 and 5xx. 4xx answers are final at once. */
  attempts: number
  /** First backoff delay; doubles on each retry. */
  retryDelayMs: number
  signal?: AbortSignal | undefined
  accept?: string
  /** Appended to 401/403/404 messages: what the user should check (e.g. how to share a Google Sheet). */
  notFoundHint?: string
  /** Which addresses may be reached, checked on the resolved address of the URL and of every redirect. */
  network: NetworkPolicy
  /** The setting the URL came from, to name in a refusal (e.g. "source.url", "template.source"). */
  field?: string
}

/** More than this many redirects in a row is a loop. */
const MAX_REDIRECTS = 10

export interface HttpBody extends ByteSource {
  /** URL after redirects. */
  readonly finalUrl: string
  readonly contentType: string
}

/** Longest Retry-After we honour; a server asking for more is treated as down. */
const MAX_RETRY_AFTER_MS = 10_000

class AttemptFailure extends Error {
  constructor(
    readonly retryable: boolean,
    readonly error: RowSourceError,
    readonly retryAfterMs?: number
  ) {
    super(error.message)
  }
}

/**
 * GET with a timeout, retries with backoff for what may pass (network errors, timeouts, 5xx), and
 * an immediate, explained failure for what will not (404, 403). Every message names the URL with
 * query secrets hidden. The body comes back as a pull-based ByteSource whose reads time out when
 * the server goes quiet mid-download.
 */
export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpBody> {
  const shownUrl = redactUrl(url)
  let lastFailure: AttemptFailure | undefined
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    options.signal?.throwIfAborted()
    try {
      return await attemptGet(url, shownUrl, options)
    } catch (err) {
      if (!(err instanceof AttemptFailure)) throw err
      if (!err.retryable) throw err.error
      lastFailure = err
      if (attempt < options.attempts) {
        const backoff = options.retryDelayMs * 2 ** (attempt - 1)
        const delay = Math.max(backoff, Math.min(err.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS))
        try {
          await sleep(delay, undefined, options.signal ? { signal: options.signal } : undefined)
        } catch {
          throw abortReason(options.signal!)
        }
      }
    }
  }
  const failure = lastFailure!.error
  const attempts = options.attempts === 1 ? '' : ` (after ${options.attempts} attempts)`
  throw new RowSourceError(failure.code, `${failure.message}${attempts}`, { cause: failure.cause })
}

async function attemptGet(url: string, shownUrl: string, options: HttpGetOptions): Promise<HttpBody> {
  const controller = new AbortController()
  const { signal } = options
  const onUserAbort = (): void => controller.abort(signal?.reason)
  signal?.addEventListener('abort', onUserAbort, { once: true })
  const release = (): void => {
    signal?.removeEventListener('abort', onUserAbort)
    controller.abort()
  }

  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, options.timeoutMs)

  let response: FetchedResponse
  try {
    response = await getFollowingRedirects(url, options, controller.signal)
  } catch (err) {
    release()
    if (signal?.aborted) throw abortReason(signal)
    const refusal = err instanceof ForbiddenAddressError ? err : (err as { cause?: unknown })?.cause
    if (refusal instanceof ForbiddenAddressError) {
      const field = options.field ? `${options.field}: ` : ''
      const hop = refusal.hostname === bareHostname(new URL(url)) ? '' : ' (after a redirect)'
      throw new AttemptFailure(false, new RowSourceError('FORBIDDEN_ADDRESS', `${field}${shownUrl}${hop}: ${refusal.message}`, { cause: refusal }))
    }
    if (err instanceof AttemptFailure) throw err
    if (timedOut) {
      throw new AttemptFailure(
        true,
        new RowSourceError('TIMEOUT', `could not download ${shownUrl}: no answer within ${formatMs(options.timeoutMs)}`, {
          cause: err
        })
      )
    }
    throw new AttemptFailure(
      true,
      new RowSourceError('NETWORK', `could not download ${shownUrl}: ${describeCause(err)}`, { cause: err })
    )
  } finally {
    clearTimeout(timer)
  }

  if (response.status < 200 || response.status > 299) {
    response.body.destroy()
    release()
    throw failureForStatus(response, shownUrl, options.notFoundHint)
  }

  const body = response.body
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  const length = response.encoded ? NaN : Number(response.headers.get('content-length'))
  let destroyed = false

  return {
    finalUrl: response.url,
    contentType: response.headers.get('content-type') ?? '',
    totalBytes: Number.isFinite(length) && length > 0 ? length : undefined,
    next: () =>
      nextWithin(chunks, options.timeoutMs, () => {
        release()
        return new RowSourceError(
          'TIMEOUT',
          `download of ${shownUrl} stalled: no data for ${formatMs(options.timeoutMs)}`
        )
      }).catch((err: unknown) => {
        if (signal?.aborted) throw abortReason(signal)
        if (err instanceof RowSourceError) throw err
        if (destroyed) return { done: true, value: undefined }
        throw new RowSourceError('NETWORK', `download of ${shownUrl} failed midway: ${describeCause(err)}`, {
          cause: err
        })
      }),
    destroy: () => {
      destroyed = true
      release()
      body.destroy()
    }
  }
}

interface FetchedResponse {
  status: number
  statusText: string
  headers: { get(name: string): string | null }
  /** The body, decompressed. */
  body: Readable
  /** The body was compressed: Content-Length is not its size. */
  encoded: boolean
  /** After redirects. */
  url: string
}

/**
 * GET with node's http client rather than fetch: its `lookup` hook lets the address policy check
 * the address the socket will actually connect to. Redirects are followed here, each hop checked
 * the same way (an IP literal in a URL never goes through lookup, so it is checked directly).
 */
async function getFollowingRedirects(url: string, options: HttpGetOptions, signal: AbortSignal): Promise<FetchedResponse> {
  const lookup = checkedLookup(options.network)
  let current = new URL(url)
  for (let hop = 0; ; hop++) {
    if (current.protocol !== 'http:' && current.protocol !== 'https:') {
      throw new AttemptFailure(false, new RowSourceError('NETWORK', `${redactUrl(url)} redirected to a ${current.protocol} link, which is not followed`))
    }
    const host = bareHostname(current)
    if (isIP(host)) checkAddress(options.network, host, host)
    const message = await new Promise<IncomingMessage>((resolve, reject) => {
      const send = current.protocol === 'https:' ? httpsRequest : httpRequest
      const req = send(current, {
        method: 'GET',
        signal,
        lookup,
        headers: { accept: options.accept ?? '*/*', 'accept-encoding': 'gzip, deflate, br', 'user-agent': 'CreativeStudio' }
      })
      req.once('response', resolve)
      req.once('error', reject)
      req.end()
    })
    const status = message.statusCode ?? 0
    const location = message.headers.location
    if ([301, 302, 303, 307, 308].includes(status) && location) {
      message.resume()
      message.destroy()
      if (hop >= MAX_REDIRECTS) {
        throw new AttemptFailure(false, new RowSourceError('NETWORK', `could not download ${redactUrl(url)}: more than ${MAX_REDIRECTS} redirects`))
      }
      current = new URL(location, current)
      continue
    }
    const encoding = String(message.headers['content-encoding'] ?? '').trim().toLowerCase()
    const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : encoding === 'br' ? createBrotliDecompress() : null
    let body: Readable = message
    if (decoder) {
      body = message.pipe(decoder)
      message.once('error', (err) => decoder.destroy(err))
      const destroyBoth = decoder.destroy.bind(decoder)
      decoder.destroy = (err?: Error) => {
        message.destroy()
        return destroyBoth(err)
      }
    }
    return {
      status,
      statusText: message.statusMessage ?? '',
      headers: {
        get: (name) => {
          const value = message.headers[name.toLowerCase()]
          return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
        }
      },
      body,
      encoded: decoder !== null,
      url: current.toString()
    }
  }
}

function failureForStatus(response: FetchedResponse, shownUrl: string, hint: string | undefined): AttemptFailure {
  const { status } = response
  const explained = (text: string): string => (hint ? `${text}: ${hint}` : text)
  if (status === 404 || status === 410) {
    return new AttemptFailure(false, new RowSourceError('NOT_FOUND', explained(`${shownUrl} was not found (HTTP ${status})`)))
  }
  if (status === 401 || status === 403) {
    return new AttemptFailure(
      false,
      new RowSourceError('ACCESS_DENIED', explained(`access to ${shownUrl} was refused (HTTP ${status})`))
    )
  }
  const retryable = status === 408 || status === 429 || status >= 500
  return new AttemptFailure(
    retryable,
    new RowSourceError('HTTP_ERROR', `could not download ${shownUrl}: the server answered HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`),
    parseRetryAfter(response.headers.get('retry-after'))
  )
}

/** Wait for the next chunk, but no longer than `ms`: the time measured is the server's, not the consumer's. */
async function nextWithin<T>(
  iterator: AsyncIterator<T>,
  ms: number,
  onTimeout: () => Error
): Promise<IteratorResult<T>> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms)
  })
  try {
    return await Promise.race([iterator.next(), timeout])
  } finally {
    clearTimeout(timer)
  }
}
