import { TestApp } from '../support/test-app';

export interface WebhookEndpointOverrides {
  url: string;
  eventTypes?: string[];
  description?: string;
  modelNames?: string[];
}

export interface CreatedEndpoint {
  id: string;
  secret: string;
  owner: string;
  url: string;
}

/** Creates a webhook endpoint through the API (with the admin key unless other headers are given). */
export async function createWebhookEndpoint(
  t: TestApp,
  overrides: WebhookEndpointOverrides,
  headers: { authorization: string } = t.admin,
): Promise<CreatedEndpoint> {
  const body = {
    url: overrides.url,
    eventTypes: overrides.eventTypes ?? ['*'],
    description: overrides.description ?? 'factory endpoint',
    ...(overrides.modelNames ? { modelNames: overrides.modelNames } : {}),
  };
  const res = await t.http.post('/api/v1/webhooks/endpoints').set(headers).send(body).expect(201);
  const { id, secret, owner, url } = res.body as CreatedEndpoint;
  return { id, secret, owner, url };
}
