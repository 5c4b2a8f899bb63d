import { BlockList, isIP } from 'node:net';

/**
 * The client's address for the sign-in limits. `X-Forwarded-For` is believed only as far as it was
 * written by proxies the operator trusts (TRUSTED_PROXIES): starting from the socket's peer, every
 * hop that is a trusted proxy hands over to the entry before it, and the first hop that is not
 * trusted is the client. With no trusted proxies (the default) that is the socket's peer itself,
 * whatever the client wrote in the header.
 */

/** `::ffff:1.2.3.4` → `1.2.3.4`; `[::1]:80` → `::1`; `1.2.3.4:5678` → `1.2.3.4`. Null when it is no IP. */
export function normalizeIp(raw: string): string | null {
  let value = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) value = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(':'));
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(value);
  if (mapped) value = mapped[1]!;
  return isIP(value) ? value.toLowerCase() : null;
}

/** Why an entry of TRUSTED_PROXIES is not an IP or a CIDR range, or null when it is one. */
export function proxyEntryProblem(entry: string): string | null {
  const [address, bits, extra] = entry.split('/');
  const ip = address ? normalizeIp(address) : null;
  if (!ip || extra !== undefined) return `"${entry}" is not an IP address or a CIDR range`;
  if (bits === undefined) return null;
  const max = isIP(ip) === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max ? null : `"${entry}" has a prefix length that is not 0 to ${max}`;
}

export type TrustedProxies = BlockList;

/** The ranges of TRUSTED_PROXIES (entries already validated by the configuration). */
export function trustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split('/');
    const ip = normalizeIp(address ?? '');
    if (!ip) continue;
    const type = isIP(ip) === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(ip, type);
    else list.addSubnet(ip, Number(bits), type);
  }
  return list;
}

const isTrusted = (ip: string, trusted: TrustedProxies) => trusted.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6');

/**
 * The right-most address that is not a trusted proxy: `peer` (the socket's address), then the
 * `X-Forwarded-For` entries from right to left while each hop so far was trusted. An entry that is
 * not an address stops the walk; when every hop is trusted, the left-most one. "unknown" without a peer.
 */
export function clientAddress(peer: string | null | undefined, forwardedFor: string | null | undefined, trusted: TrustedProxies): string {
  const socket = peer ? normalizeIp(peer) : null;
  if (!socket) return 'unknown';
  const hops = (forwardedFor ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let current = socket;
  for (let i = hops.length - 1; i >= 0 && isTrusted(current, trusted); i -= 1) {
    const previous = normalizeIp(hops[i]!);
    if (!previous) break;
    current = previous;
  }
  return current;
}
