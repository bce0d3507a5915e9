import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Why an address is not a public unicast address (loopback, private, linkLocal, carrierGradeNat, uniqueLocal,
 * ipv4Mapped, unspecified, multicast, broadcast, reserved, ...), or null when it is public.
 */
export function nonPublicRange(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return 'invalid';
  }
  const range = parsed.range();
  return range === 'unicast' ? null : range;
}

export class AddressRefusedError extends Error {
  readonly code = 'EWEBHOOKADDRESS';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(`refused: ${host} resolves to ${address} (${range}), not a public address`);
    this.name = 'AddressRefusedError';
  }
}

/** The host of a URL without IPv6 brackets. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Throws AddressRefusedError when `host` is an IP literal that is not public (names are checked at connect). */
export function checkLiteralHost(host: string): void {
  if (!isIP(host)) return;
  const range = nonPublicRange(host);
  if (range) throw new AddressRefusedError(host, host, range);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/http that resolves the name and refuses it when any address is not public. It runs at
 * connect time, for the very addresses the socket then uses, so DNS rebinding cannot slip past it.
 */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses;
    for (const a of list) {
      const range = nonPublicRange(a.address);
      if (range) return callback(new AddressRefusedError(hostname, a.address, range), []);
    }
    if (list.length === 0)
      return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
    if (options.all) return callback(null, list);
    return callback(null, list[0].address, list[0].family);
  });
}
