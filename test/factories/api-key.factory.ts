import { randomBytes } from 'node:crypto';
import { Scope } from 'src/platform/auth';
import { TestApp } from '../support/test-app';

export interface ApiKeyOverrides {
  name?: string;
  scopes?: Scope[];
  owner?: string;
}

export interface CreatedKey {
  id: string;
  key: string;
  owner: string;
  headers: { authorization: string };
}

/** Creates a key through the API with the admin key; a fresh owner unless one is given. */
export async function createApiKey(t: TestApp, overrides: ApiKeyOverrides = {}): Promise<CreatedKey> {
  const body = {
    name: overrides.name ?? 'factory key',
    scopes: overrides.scopes ?? ['models:read'],
    owner: overrides.owner ?? `owner-${randomBytes(4).toString('hex')}`,
  };
  const res = await t.http.post('/api/v1/api-keys').set(t.admin).send(body).expect(201);
  const { id, key, owner } = res.body as { id: string; key: string; owner: string };
  return { id, key, owner, headers: { authorization: `Bearer ${key}` } };
}
