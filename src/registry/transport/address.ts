/**
 * Address classification for the SSRF guards on redirects and token realms
 * (docs/registry-protocol.md#private-addresses): which hosts and resolved addresses are private.
 */
import { BlockList, isIP } from 'node:net'

/** AddressClassifier says whether one resolved IP address (v4 or v6 text) is private. */
export type AddressClassifier = (address: string) => boolean

const PRIVATE = new BlockList()
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT, RFC 6598
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata endpoints
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4')
}
for (const [net, bits] of [
  // Unspecified, loopback and the deprecated IPv4-compatible ::a.b.c.d, which some stacks still
  // route to the IPv4 address. IPv4-mapped ::ffff:a.b.c.d needs no entry: BlockList checks it
  // against the IPv4 rules above.
  ['::', 96],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6')
}

/** isPrivateAddress is true for an IP address in a loopback, RFC 1918, link-local, ULA or unspecified range. */
export const isPrivateAddress: AddressClassifier = (address) => {
  const a = address.replace(/^\[|\]$/g, '')
  const family = isIP(a)
  return family !== 0 && PRIVATE.check(a, family === 4 ? 'ipv4' : 'ipv6')
}

/** isLocalhostName is true for `localhost` and names under it, which resolve to loopback (RFC 6761). */
export function isLocalhostName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '')
  return h === 'localhost' || h.endsWith('.localhost')
}

/**
 * isPrivateHost is true for a private IP literal (IPv4-mapped and -compatible IPv6 included) or
 * a localhost name, as `classify` judges addresses. Other names need resolving: the agents'
 * connectors check the addresses they resolve to.
 */
export function isPrivateHost(
  hostname: string,
  classify: AddressClassifier = isPrivateAddress,
): boolean {
  const h = hostname.replace(/^\[|\]$/g, '')
  return isIP(h) !== 0 ? classify(h) : isLocalhostName(h)
}
