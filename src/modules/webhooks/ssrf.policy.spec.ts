import { AddressRefusedError, checkLiteralHost, guardedLookup, nonPublicRange } from './ssrf.policy';

describe('ssrf policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.254', 'carrierGradeNat'],
    ['fc00::1', 'uniqueLocal'],
    ['fdff::1', 'uniqueLocal'],
    ['::ffff:127.0.0.1', 'ipv4Mapped'],
    ['::ffff:10.0.0.1', 'ipv4Mapped'],
    ['0.0.0.0', 'unspecified'],
    ['0.255.255.255', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.1', 'reserved'],
  ])('should classify %s as %s when checking an address', (address, range) => {
    expect(nonPublicRange(address)).toBe(range);
  });

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '100.63.255.255', '172.32.0.1'])(
    'should accept %s when it is a public unicast address',
    (address) => {
      expect(nonPublicRange(address)).toBeNull();
    },
  );

  it('should refuse an IP literal host when it is not public', () => {
    expect(() => checkLiteralHost('169.254.169.254')).toThrow(AddressRefusedError);
    expect(() => checkLiteralHost('::ffff:7f00:1')).toThrow(/ipv4Mapped/);
    expect(() => checkLiteralHost('93.184.216.34')).not.toThrow();
    expect(() => checkLiteralHost('example.com')).not.toThrow();
  });

  it('should refuse a name at lookup time when it resolves to loopback', async () => {
    const err = await new Promise<Error | null>((resolve) =>
      guardedLookup('localhost', { all: true }, (e) => resolve(e)),
    );
    expect(err).toBeInstanceOf(AddressRefusedError);
    expect((err as AddressRefusedError).range).toBe('loopback');
  });
});
