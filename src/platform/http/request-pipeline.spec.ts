import type { IncomingMessage } from 'node:http';
import { requestIdFor, uuidV4 } from './request-pipeline';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it('should make random version 4 UUIDs when called, none repeated, across entropy refills', () => {
    const ids = Array.from({ length: 1000 }, () => uuidV4());
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('should keep the caller id when it is a sane token and make one when it is not', () => {
    const req = (id?: string) => ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as IncomingMessage;
    expect(requestIdFor(req('abc-123.x:y_z'))).toBe('abc-123.x:y_z');
    expect(requestIdFor(req('not ok'))).toMatch(UUID_V4);
    expect(requestIdFor(req())).toMatch(UUID_V4);
  });
});
