import { isIPv4, isIPv6 } from 'node:net'

/**
 * What a per-address limit counts by. An IPv4 address is itself (an IPv4-mapped IPv6 address too);
 * an IPv6 address counts by its /64, the block one subscriber is usually given, so rotating through
 * the addresses of one's own network does not reset the count.
 */
export function clientAddressKey(ip: string): string {
  const address = ip.trim().toLowerCase().replace(/%.*$/, '')
  if (isIPv4(address)) return address
  if (!isIPv6(address)) return address
  const groups = expandIPv6(address)
  if (groups.slice(0, 5).every((group) => group === '0') && groups[5] === 'ffff') {
    const [high = 0, low = 0] = groups.slice(6).map((group) => Number.parseInt(group, 16))
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.')
  }
  return `${groups.slice(0, 4).join(':')}::/64`
}

/** The eight groups of an IPv6 address, written out (an embedded IPv4 tail becomes two groups). */
function expandIPv6(address: string): string[] {
  let text = address
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (v4?.[1]) {
    const bytes = v4[1].split('.').map(Number)
    const high = (((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0)).toString(16)
    const low = (((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0)).toString(16)
    text = `${text.slice(0, -v4[1].length)}${high}:${low}`
  }
  const [head = '', tail] = text.split('::')
  const headGroups = head === '' ? [] : head.split(':')
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':')
  const missing = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length
  return [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups].map((group) =>
    Number.parseInt(group, 16).toString(16),
  )
}
