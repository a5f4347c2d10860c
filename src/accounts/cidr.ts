// CIDR allow-lists for tokens (IPv4 and IPv6), on ipaddr.js.
import ipaddr from 'ipaddr.js'
import { RegistryError } from '../core/errors.ts'

export function parseCidrList(list: readonly string[]): string[] {
  return list.map((entry) => {
    try {
      const [addr, bits] = ipaddr.parseCIDR(entry.includes('/') ? entry : `${entry}/${ipaddr.parse(entry).kind() === 'ipv4' ? 32 : 128}`)
      return `${addr.toString()}/${bits}`
    } catch {
      throw new RegistryError('invalidRequest', `not a CIDR range: ${entry}`)
    }
  })
}

export function ipAllowed(ip: string | null, cidrs: readonly string[]): boolean {
  if (cidrs.length === 0) return true
  if (!ip || !ipaddr.isValid(ip)) return false
  let addr = ipaddr.parse(ip)
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address()
  return cidrs.some((cidr) => {
    const [range, bits] = ipaddr.parseCIDR(cidr)
    return range.kind() === addr.kind() && addr.match(range, bits)
  })
}
