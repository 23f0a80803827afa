import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns'
import { BlockList, isIP } from 'node:net'

/**
 * Where the gateway may POST (SSRF): a merchant endpoint is a public https URL. With `allowHttp`
 * (development, or explicitly configured) http and private or loopback hosts are allowed too, but
 * link-local (cloud metadata at 169.254.169.254), unspecified, multicast and broadcast addresses never
 * are: no real receiver lives there. The same rules are applied to every address a host name
 * resolves to at connection time, so a name cannot point at what a literal may not.
 */

export interface UrlPolicy {
  allowHttp: boolean
}

export const MAX_WEBHOOK_URL_LENGTH = 2048

/** Never a webhook receiver, whatever the configuration. */
const ALWAYS_BLOCKED = new BlockList()
ALWAYS_BLOCKED.addSubnet('0.0.0.0', 8, 'ipv4')
ALWAYS_BLOCKED.addSubnet('169.254.0.0', 16, 'ipv4')
ALWAYS_BLOCKED.addSubnet('224.0.0.0', 4, 'ipv4')
ALWAYS_BLOCKED.addSubnet('240.0.0.0', 4, 'ipv4')
ALWAYS_BLOCKED.addAddress('::', 'ipv6')
ALWAYS_BLOCKED.addSubnet('fe80::', 10, 'ipv6')
ALWAYS_BLOCKED.addSubnet('ff00::', 8, 'ipv6')

/** Not public: refused unless http and private networks are allowed. */
const PRIVATE = new BlockList()
for (const [network, prefix] of [
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4')
}
PRIVATE.addAddress('::1', 'ipv6')
PRIVATE.addSubnet('fc00::', 7, 'ipv6')
PRIVATE.addSubnet('2001:db8::', 32, 'ipv6')
// Forms that embed an IPv4 address (NAT64, local-use NAT64, 6to4, IPv4-compatible, SIIT) are treated as
// private rather than decoded; IPv4-mapped (::ffff:a.b.c.d) BlockList already checks as IPv4.
PRIVATE.addSubnet('64:ff9b::', 96, 'ipv6')
PRIVATE.addSubnet('64:ff9b:1::', 48, 'ipv6')
PRIVATE.addSubnet('2002::', 16, 'ipv6')
PRIVATE.addSubnet('::', 96, 'ipv6')
PRIVATE.addSubnet('::ffff:0:0:0', 96, 'ipv6')

/** Why an IP address may not receive webhooks, or null when it may. */
export function refusedAddress(address: string, policy: UrlPolicy): string | null {
  const family = isIP(address)
  if (family === 0) return 'is not an IP address'
  const type = family === 4 ? 'ipv4' : 'ipv6'
  if (ALWAYS_BLOCKED.check(address, type)) return 'points at a link-local, unspecified or multicast address'
  if (!policy.allowHttp && PRIVATE.check(address, type)) return 'points at a private or loopback address'
  return null
}

/** Why a URL may not be a webhook endpoint, or null when it may. Messages name the rule, not the URL. */
export function refusedUrl(raw: string, policy: UrlPolicy): string | null {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'must be an absolute URL'
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) {
    return policy.allowHttp ? 'must be an http or https URL' : 'must be an https URL'
  }
  if (url.username || url.password) return 'must not carry credentials (user:password@)'
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase()
  if (!host) return 'must name a host'
  if (isIP(host)) return refusedAddress(host, policy)
  if (!policy.allowHttp && (host === 'localhost' || host.endsWith('.localhost'))) {
    return 'points at a private or loopback address'
  }
  return null
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void

/**
 * A `lookup` for net/tls connections that refuses host names resolving to a forbidden address (DNS
 * rebinding). Every address must pass, not only the first: a connection may fall back to any of them.
 */
export function guardedLookup(policy: UrlPolicy) {
  return (
    hostname: string,
    options: LookupAllOptions | { all?: boolean },
    callback: LookupCallback,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, [])
      const refused = addresses.map((entry) => refusedAddress(entry.address, policy)).find(Boolean)
      if (refused || addresses.length === 0) {
        const denied: NodeJS.ErrnoException = new Error(`webhook host ${refused ?? 'has no address'}`)
        denied.code = 'EWEBHOOKADDRESS'
        return callback(denied, [])
      }
      if (options.all) return callback(null, addresses)
      const [first] = addresses
      return callback(null, first?.address ?? '', first?.family)
    })
  }
}
