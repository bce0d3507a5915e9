import { canonicalJson } from '../json';
import { AuditContent, chainHash, GENESIS_HASH } from './audit-chain';
import { changesOf, clampValue } from './audit-changes';

const content = (over: Partial<AuditContent> = {}): AuditContent => ({
  seq: '1',
  createdAt: new Date('2030-01-02T03:04:05.678Z'),
  actorKeyId: null,
  actorKeyPrefix: 'dok_abcdefgh',
  actorOwner: 'acme',
  action: 'model.promote',
  targetType: 'model',
  targetId: 'churn',
  targetOwner: 'acme',
  requestId: 'r1',
  clientIp: '127.0.0.1',
  outcome: 'success',
  changes: { production: { from: 1, to: 2 } },
  ...over,
});

describe('the audit hash chain', () => {
  it('should hash the same when object keys come back in another order (as jsonb returns them)', () => {
    const a = content({ changes: { b: { to: 1, from: 0 }, a: { from: 'x', to: 'y' } } });
    const b = content({ changes: { a: { to: 'y', from: 'x' }, b: { from: 0, to: 1 } } });
    expect(chainHash(GENESIS_HASH, a)).toBe(chainHash(GENESIS_HASH, b));
    expect(chainHash(GENESIS_HASH, content({ changes: { a: { from: undefined, to: 1 } } }))).toBe(
      chainHash(GENESIS_HASH, content({ changes: { a: { to: 1 } } })),
    );
    expect(canonicalJson({ b: 1, a: [1, { d: null, c: true }] })).toBe('{"a":[1,{"c":true,"d":null}],"b":1}');
  });

  it('should change the hash when any field or the previous hash changes', () => {
    const base = chainHash(GENESIS_HASH, content());
    expect(chainHash('1'.repeat(64), content())).not.toBe(base);
    expect(chainHash(GENESIS_HASH, content({ action: 'model.rollback' }))).not.toBe(base);
    expect(chainHash(GENESIS_HASH, content({ targetOwner: null }))).not.toBe(base);
    expect(chainHash(GENESIS_HASH, content({ changes: { production: { from: 1, to: 3 } } }))).not.toBe(base);
    // A value moved from one field to the next is a different record.
    expect(chainHash(GENESIS_HASH, content({ requestId: null, clientIp: 'r1' }))).not.toBe(base);
  });
});

describe('audit change summaries', () => {
  it('should list only the named fields that differ when both sides are given', () => {
    const before = { name: 'a', tags: ['x'], description: 'same', secret: 's1' };
    const after = { name: 'b', tags: ['x'], description: 'same', secret: 's2' };
    expect(changesOf(before, after, ['name', 'tags', 'description'])).toEqual({ name: { from: 'a', to: 'b' } });
  });

  it('should redact secret-looking fields and clamp long values when they are listed', () => {
    const changes = changesOf(null, { secret: 'whsec_x', description: 'x'.repeat(500), list: [...Array(30).keys()] }, [
      'secret',
      'description',
      'list',
    ]);
    expect(changes.secret).toEqual({ to: '[redacted]' });
    expect(String(changes.description.to)).toHaveLength(200 + '… (500 chars)'.length);
    expect(changes.list.to).toHaveLength(21);
  });

  it('should replace what jsonb cannot store when a string holds a lone surrogate or NUL', () => {
    expect(clampValue('a\ud800b\u0000c')).toBe('a\ufffdb\ufffdc');
    expect(clampValue('\ud83d\ude00')).toBe('\ud83d\ude00');
    expect(clampValue(new Date('2030-01-01T00:00:00Z'))).toBe('2030-01-01T00:00:00.000Z');
  });
});
