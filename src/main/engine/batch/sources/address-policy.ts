import { lookup as dnsLookup } from 'node:dns/promises'
import { isIP, type LookupFunction } from 'node:net'
import { StudioError } from '../../errors'

/**
 * Which addresses the engine may fetch a URL from. A URL that reaches the engine through the
 * command API comes from a page (the app's window, a `studio serve` tab) that could be
 * compromised: it must not make the engine, which sits inside the user's network, fetch what only
 * this machine or its private network can reach (a router's admin page, a local service, a cloud
 * metadata endpoint). The check runs on the *resolved* address, at connection time (the socket
 * connects to the address that was checked, so a DNS answer that changes between check and use
 * cannot swap it), and again for every redirect.
 */
export interface NetworkPolicy {
  /** Loopback, private, link-local and unique-local addresses allowed (the CLI, with --allow-private-urls). */
  allowPrivate: boolean
  /** Name resolution (tests resolve a made-up public name to a local server). Default: the OS resolver. */
  resolve?: (hostname: string) => Promise<Array<{ address: string; family: number }>>
  /** Addresses to take as public although they are not (tests: a local server standing in for the internet). */
  treatAsPublic?: (address: string) => boolean
}

export const PUBLIC_ADDRESSES_ONLY: NetworkPolicy = Object.freeze({ allowPrivate: false })
export const ANY_ADDRESS: NetworkPolicy = Object.freeze({ allowPrivate: true })

/** Why an address is not public ("loopback", "private network"…), or null for a public one. */
export function nonPublicReason(address: string): string | null {
  const family = isIP(address)
  if (family === 4) return ipv4Reason(ipv4Bytes(address))
  if (family === 6) return ipv6Reason(ipv6Bytes(address))
  return 'not an IP address'
}

function ipv4Reason(b: number[]): string | null {
  const [a, c] = [b[0]!, b[1]!]
  if (a === 0) return 'unspecified address'
  if (a === 127) return 'loopback'
  if (a === 10 || (a === 172 && c >= 16 && c <= 31) || (a === 192 && c === 168)) return 'private network'
  if (a === 100 && c >= 64 && c <= 127) return 'carrier-grade NAT (shared) network'
  if (a === 169 && c === 254) return 'link-local'
  if (a === 192 && c === 0 && b[2] === 0) return 'IETF protocol assignments'
  if (a === 198 && (c === 18 || c === 19)) return 'benchmarking network'
  if (a >= 224) return a < 240 ? 'multicast' : 'reserved'
  return null
}

function ipv6Reason(b: number[]): string | null {
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0)
  if (zeros(0, 16)) return 'unspecified address'
  if (zeros(0, 15) && b[15] === 1) return 'loopback'
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d): the IPv4 inside decides.
  const mapped = zeros(0, 10) && b[10] === 0xff && b[11] === 0xff
  const compatible = zeros(0, 12)
  const nat64 = b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)
  if (mapped || compatible || nat64) {
    const inner = ipv4Reason(b.slice(12))
    return inner ? `${inner} (IPv4 inside IPv6)` : null
  }
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return 'link-local'
  if ((b[0]! & 0xfe) === 0xfc) return 'unique-local (private) network'
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return 'site-local (private) network'
  if (b[0] === 0xff) return 'multicast'
  return null
}

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number)
}

function ipv6Bytes(address: string): number[] {
  let text = address.replace(/%.*$/, '') // zone id
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted) {
    const [a, b, c, d] = ipv4Bytes(dotted[1]!)
    text = text.slice(0, -dotted[1]!.length) + `${((a! << 8) | b!).toString(16)}:${((c! << 8) | d!).toString(16)}`
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined]
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
  return groups.flatMap((g) => {
    const n = parseInt(g || '0', 16)
    return [n >> 8, n & 0xff]
  })
}

export class ForbiddenAddressError extends StudioError {
  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly reason: string
  ) {
    super(
      'forbidden',
      `${hostname}${hostname === address ? '' : ` (${address})`} is ${/^[aeiou]/.test(reason) ? 'an' : 'a'} ${reason} address, ` +
        'on this computer or its private network: links are only fetched from public internet addresses'
    )
    this.name = 'ForbiddenAddressError'
  }
}

/** Throws ForbiddenAddressError when the policy refuses this (already resolved) address. */
export function checkAddress(policy: NetworkPolicy, hostname: string, address: string): void {
  if (policy.allowPrivate || policy.treatAsPublic?.(address)) return
  const reason = nonPublicReason(address)
  if (reason) throw new ForbiddenAddressError(hostname, address, reason)
}

/** A URL's host as a bare name or address ("[::1]" → "::1"). */
export function bareHostname(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1')
}

/**
 * A `lookup` for http(s).request: resolves, checks every address it returns, and hands only
 * checked addresses to the socket, which connects to one of them (no second resolution).
 */
export function checkedLookup(policy: NetworkPolicy): LookupFunction {
  const resolve = policy.resolve ?? ((hostname: string) => dnsLookup(hostname, { all: true, verbatim: true }))
  return (hostname, options, callback) => {
    resolve(hostname)
      .then((found) => {
        if (found.length === 0) throw Object.assign(new Error(`${hostname}: no address found`), { code: 'ENOTFOUND' })
        for (const { address } of found) checkAddress(policy, hostname, address)
        const wanted = options.family === 4 || options.family === 6 ? found.filter((a) => a.family === options.family) : found
        if (wanted.length === 0) throw Object.assign(new Error(`${hostname}: no IPv${options.family} address`), { code: 'ENOTFOUND' })
        if (options.all) (callback as (err: null, all: typeof wanted) => void)(null, wanted)
        else callback(null, wanted[0]!.address, wanted[0]!.family)
      })
      .catch((err: NodeJS.ErrnoException) => callback(err, '', 0))
  }
}
