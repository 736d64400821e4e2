import { isIP } from 'node:net'

/** Loopback names and addresses: the only hosts `studio serve` binds without being told. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

export function isWildcardHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '')
  return h === '0.0.0.0' || h === '::'
}

/**
 * Which `Host` header values this server answers. A browser tricked by DNS rebinding sends the
 * attacker's domain name as Host; refusing names we were not bound to stops it, even before the
 * token is checked. Wildcard binds accept IP literals only (plus localhost).
 */
export function hostAllowed(hostHeader: string | undefined, boundHost: string, port: number): boolean {
  if (!hostHeader) return false
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader.trim())
  if (!m) return false
  const name = m[1]!.replace(/^\[|\]$/g, '').toLowerCase()
  const givenPort = m[2] === undefined ? 80 : Number(m[2])
  if (givenPort !== port) return false
  if (name === 'localhost' || name === '::1' || name === '127.0.0.1') return true
  const bound = boundHost.replace(/^\[|\]$/g, '').toLowerCase()
  if (isWildcardHost(bound)) return isIP(name) !== 0
  return name === bound
}

/** The origin the page was served from, as the browser writes it in `Origin`. */
export function ownOrigin(hostHeader: string): string {
  return `http://${hostHeader.trim().toLowerCase()}`
}

/** How the URL printed to the user writes a host. */
export function urlHost(host: string): string {
  const h = host.replace(/^\[|\]$/g, '')
  if (isWildcardHost(h)) return '127.0.0.1'
  return isIP(h) === 6 ? `[${h}]` : h
}
