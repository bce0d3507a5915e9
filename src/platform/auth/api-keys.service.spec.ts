import { Repository } from 'typeorm';
import { AuditService } from '../audit';
import { AppConfig } from '../config';
import { TxHost } from '../database';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysService } from './api-keys.service';

const TTL = 1000;

function keyRow(id = 'key-1'): ApiKeyEntity {
  return Object.assign(new ApiKeyEntity(), { id, owner: 'team', scopes: ['predict'], expiresAt: null });
}

/** A key table whose lookups answer only when the test says so (a unit test: the database is not the subject). */
function slowTable() {
  const lookups: Array<(row: ApiKeyEntity | null) => void> = [];
  const update = jest.fn(() => Promise.resolve({ affected: 1 }));
  const repo = {
    findOne: jest.fn(() => new Promise<ApiKeyEntity | null>((resolve) => lookups.push(resolve))),
    update,
  };
  const txHost = { tx: { update }, withTransaction: (work: () => Promise<unknown>) => work() };
  const answer = async (row: ApiKeyEntity | null) => {
    lookups.shift()!(row);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { repo, txHost, answer, pending: () => lookups.length };
}

function service({ repo, txHost }: Pick<ReturnType<typeof slowTable>, 'repo' | 'txHost'>): ApiKeysService {
  const config = Object.assign(new AppConfig(), { AUTH_CACHE_TTL_MS: TTL });
  const audit = { record: () => Promise.resolve() } as unknown as AuditService;
  return new ApiKeysService(repo as unknown as Repository<ApiKeyEntity>, config, audit, txHost as unknown as TxHost);
}

/** A service whose cache holds 'dok_secret' (looked up at the current time). */
async function withCachedKey() {
  const table = slowTable();
  const keys = service(table);
  const first = keys.authenticate('dok_secret');
  await table.answer(keyRow());
  await first;
  return { table, keys };
}

describe('the API key cache', () => {
  let now = 1_000_000;

  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });

  afterEach(() => jest.restoreAllMocks());

  it('should look the key up once when many requests ask before the first lookup answers', async () => {
    const table = slowTable();
    const keys = service(table);
    const asked = Array.from({ length: 20 }, () => keys.authenticate('dok_secret'));
    expect(table.repo.findOne).toHaveBeenCalledTimes(1);
    await table.answer(keyRow());
    const principals = await Promise.all(asked);
    expect(new Set(principals.map((p) => p?.keyId))).toEqual(new Set(['key-1']));
  });

  it('should answer from the cache and look the key up in the background when half the TTL has passed', async () => {
    const { table, keys } = await withCachedKey();

    now += TTL / 2 + 1;
    await expect(keys.authenticate('dok_secret')).resolves.toMatchObject({ keyId: 'key-1' });
    await expect(keys.authenticate('dok_secret')).resolves.toMatchObject({ keyId: 'key-1' });
    expect(table.repo.findOne).toHaveBeenCalledTimes(2);

    // Revoked on another replica: the background lookup finds nothing, and the key stops working.
    await table.answer(null);
    await expect(keys.authenticate('dok_secret')).resolves.toBeNull();
  });

  it('should wait for a lookup when the entry has lapsed', async () => {
    const { table, keys } = await withCachedKey();

    now += TTL + 1;
    let settled = false;
    const lapsed = keys.authenticate('dok_secret').then((p) => ((settled = true), p));
    await new Promise((resolve) => setImmediate(resolve));
    expect([settled, table.pending()]).toEqual([false, 1]);
    await table.answer(null);
    await expect(lapsed).resolves.toBeNull();
  });

  it('should not cache what a lookup read when the key was revoked while it ran', async () => {
    const table = slowTable();
    const keys = service(table);
    table.repo.findOne.mockImplementationOnce(() => Promise.resolve(keyRow()));
    await keys.authenticate('dok_secret');
    now += TTL + 1;

    const racing = keys.authenticate('dok_secret');
    table.repo.findOne.mockImplementationOnce(() => Promise.resolve(keyRow()));
    await keys.revoke({ keyId: 'admin', owner: 'admin', scopes: ['admin'], isAdmin: true }, 'key-1');
    await table.answer(keyRow());
    await racing;

    const after = keys.authenticate('dok_secret');
    expect(table.pending()).toBe(1);
    await table.answer(null);
    await expect(after).resolves.toBeNull();
  });
});
