import { createTestApp, TestApp } from '../support/test-app';

const PROBLEM = /^application\/problem\+json/;

describe('HTTP errors as problem+json', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { BODY_LIMIT_BYTES: '2048' } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should answer 404 ROUTE_NOT_FOUND when the route does not exist', async () => {
    const res = await t.http.get('/no/such/route').expect(404);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({
      type: '/problems/route-not-found',
      title: 'Not Found',
      status: 404,
      code: 'ROUTE_NOT_FOUND',
      detail: expect.any(String),
      requestId: res.headers['x-request-id'],
    });
  });

  it('should echo the caller request id when X-Request-Id is given', async () => {
    const res = await t.http.get('/no/such/route').set('x-request-id', 'trace-123.abc').expect(404);
    expect(res.headers['x-request-id']).toBe('trace-123.abc');
    expect(res.body.requestId).toBe('trace-123.abc');
  });

  it('should generate a request id when the given one is not a safe token', async () => {
    const res = await t.http.get('/health/live').set('x-request-id', 'bad id with spaces').expect(200);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('should answer 400 MALFORMED_JSON when the body is not JSON', async () => {
    const res = await t.http
      .post('/api/v1/api-keys')
      .set(t.admin)
      .set('content-type', 'application/json')
      .send('{"name": ')
      .expect(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
  });

  it('should answer 413 PAYLOAD_TOO_LARGE when the body is over the limit', async () => {
    const res = await t.http
      .post('/api/v1/api-keys')
      .set(t.admin)
      .send({ name: 'x'.repeat(5000), scopes: ['predict'] })
      .expect(413);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('should answer 415 UNSUPPORTED_MEDIA_TYPE when the body is not JSON', async () => {
    const res = await t.http
      .post('/api/v1/api-keys')
      .set(t.admin)
      .set('content-type', 'text/plain')
      .send('name=x')
      .expect(415);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('should list each invalid field when validation fails', async () => {
    const res = await t.http
      .post('/api/v1/api-keys')
      .set(t.admin)
      .send({ name: '', scopes: ['predict', 'fly'], surprise: true })
      .expect(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const fields = (res.body.errors as { field: string; code: string }[]).map((e) => `${e.field}:${e.code}`);
    expect(fields).toEqual(expect.arrayContaining(['name:MATCHES', 'scopes:IS_IN', 'surprise:UNKNOWN_FIELD']));
  });

  it('should answer OIP routes with an error member when the route is under /v2', async () => {
    const res = await t.http.get('/v2/models/none/not-a-route').expect(404);
    expect(res.body).toMatchObject({ error: expect.any(String) });
  });
});
