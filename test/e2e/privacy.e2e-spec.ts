import { createApiKey } from '../factories/api-key.factory';
import { createTestApp, TestApp } from '../support/test-app';

describe('POST /api/v1/privacy/scan', () => {
  let t: TestApp;
  let headers: { authorization: string };

  beforeAll(async () => {
    t = await createTestApp();
    headers = (await createApiKey(t, { scopes: ['privacy:scan'] })).headers;
  });

  afterAll(async () => {
    await t.close();
  });

  it('should return typed spans of the value when a text is scanned', async () => {
    const text = 'reach me at jane.doe@example.com or +44 20 7946 0958';
    const res = await t.http.post('/api/v1/privacy/scan').set(headers).send({ text }).expect(200);
    expect(
      res.body.findings.map((f: { type: string; start: number; end: number }) => [f.type, text.slice(f.start, f.end)]),
    ).toEqual([
      ['EMAIL', 'jane.doe@example.com'],
      ['PHONE', '+44 20 7946 0958'],
    ]);
    expect(JSON.stringify(res.body)).not.toContain('jane.doe');
  });

  it('should name the row and column with offsets in the cell when rows are scanned', async () => {
    const rows = [
      { note: 'fine', n: 3 },
      { note: 'card 4111 1111 1111 1111', ip: '203.0.113.42' },
    ];
    const res = await t.http.post('/api/v1/privacy/scan').set(headers).send({ rows }).expect(200);
    expect(res.body.findings).toEqual([
      { type: 'CREDIT_CARD', start: 5, end: 24, row: 1, column: 'note', score: expect.any(Number) },
      { type: 'IP', start: 0, end: 12, row: 1, column: 'ip', score: expect.any(Number) },
    ]);
  });

  it('should answer 400 when both or neither of text and rows are sent', async () => {
    await t.http.post('/api/v1/privacy/scan').set(headers).send({}).expect(400);
    const res = await t.http
      .post('/api/v1/privacy/scan')
      .set(headers)
      .send({ text: 'a', rows: [{}] })
      .expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('should answer 403 when the key lacks the privacy:scan scope', async () => {
    const other = await createApiKey(t, { scopes: ['predict'] });
    await t.http.post('/api/v1/privacy/scan').set(other.headers).send({ text: 'x' }).expect(403);
  });
});
