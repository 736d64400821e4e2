/**
 * The desktop app's link to a studio farm (Settings → "Studio farm"): the queue URL is kept in the
 * settings without its password, and the password with the API keys (the app's keychain, or this
 * process's memory in `studio serve`), so neither studio.db nor a page ever holds it in clear.
 *
 * Which addresses a page may make the engine connect to: a farm's PostgreSQL is nearly always on
 * this computer or the local network, so loopback and private addresses are allowed (refusing
 * them, as batch links are refused, would refuse every real farm). What is refused is what no farm
 * lives on and what a compromised page would aim at: link-local addresses (169.254.0.0/16, fe80::/10
 * — where cloud metadata services answer), the unspecified address, multicast and reserved ranges.
 * The name is resolved and every address checked before connecting; the PostgreSQL client then
 * resolves it again, so a name whose answer changes in between is not caught — acceptable because
 * the connection speaks only PostgreSQL's protocol and reports no byte of what answered, only that
 * the connection failed.
 */
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { nonPublicReason } from '../batch/sources/address-policy'
import { FarmError } from './errors'

export { splitPassword } from '../../../shared/farm'

/** The address kinds a farm may be on besides the public internet. */
const FARM_MAY_BE_ON = /^(loopback|private network|carrier-grade NAT|unique-local|site-local)/

export type Resolve = (hostname: string) => Promise<Array<{ address: string }>>

const systemResolve: Resolve = (hostname) => lookup(hostname, { all: true, verbatim: true })

/** Throws FarmError (field queueUrl) when the URL's host is, or resolves to, an address no farm may be on. */
export async function checkFarmAddress(url: string, resolve: Resolve = systemResolve): Promise<void> {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1')
  let addresses: string[]
  if (isIP(host)) addresses = [host]
  else {
    try {
      addresses = (await resolve(host)).map((a) => a.address)
    } catch (err) {
      throw new FarmError('farm-unreachable', `queueUrl: the host ${host} was not found (${(err as NodeJS.ErrnoException).code ?? 'no address'})`, 'queueUrl')
    }
  }
  for (const address of addresses) {
    const reason = nonPublicReason(address)
    if (reason !== null && !FARM_MAY_BE_ON.test(reason)) {
      throw new FarmError(
        'farm-address-forbidden',
        `queueUrl: ${host}${host === address ? '' : ` (${address})`} is in a range where no farm runs (${reason}): give the PostgreSQL server's address on your network`,
        'queueUrl'
      )
    }
  }
}

/** The stored URL with its stored password put back, for connecting. */
export function withPassword(queueUrl: string, password: string | undefined): string {
  if (!password) return queueUrl
  const u = new URL(queueUrl)
  u.password = encodeURIComponent(password)
  return u.toString()
}
