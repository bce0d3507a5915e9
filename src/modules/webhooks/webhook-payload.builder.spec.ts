import { buildPayload, MAX_PAYLOAD_BYTES } from './webhook-payload.builder';

describe('webhook payload', () => {
  const createdAt = new Date('2026-01-01T00:00:00.000Z');

  it('should be the compact envelope when the data is small', () => {
    const body = buildPayload({ id: 'msg_1', type: 'model.promoted', data: { a: 1 }, createdAt });
    expect(body).toBe('{"id":"msg_1","type":"model.promoted","timestamp":"2026-01-01T00:00:00.000Z","data":{"a":1}}');
  });

  it('should replace the data by its ids and a link when the body would exceed 20 KB', () => {
    const data = {
      id: 'c1',
      modelName: 'churn',
      walletIds: ['w1', 'w2'],
      version: 3,
      blob: 'x'.repeat(50_000),
      nested: { id: 'n' },
    };
    const body = buildPayload({ id: 'msg_2', type: 'contribution.received', data, createdAt });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    expect(JSON.parse(body)).toEqual({
      id: 'msg_2',
      type: 'contribution.received',
      timestamp: '2026-01-01T00:00:00.000Z',
      data: {
        truncated: true,
        id: 'c1',
        modelName: 'churn',
        walletIds: ['w1', 'w2'],
        version: 3,
        url: '/api/v1/webhooks/messages/msg_2',
      },
    });
  });

  it('should keep only the link when even the ids are too large', () => {
    const data = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}Id`, 'y'.repeat(150)]));
    const body = buildPayload({ id: 'msg_3', type: 'x.y', data, createdAt });
    expect(JSON.parse(body).data).toEqual({ truncated: true, url: '/api/v1/webhooks/messages/msg_3' });
  });
});
