import { nextRunAt } from './retention.kinds';

describe('nextRunAt', () => {
  it('should pick today at the hour when the hour is still ahead', () => {
    expect(nextRunAt(new Date('2030-05-01T02:59:59Z'), 3).toISOString()).toBe('2030-05-01T03:00:00.000Z');
  });

  it('should pick tomorrow at the hour when the hour has come or passed', () => {
    expect(nextRunAt(new Date('2030-05-01T03:00:00Z'), 3).toISOString()).toBe('2030-05-02T03:00:00.000Z');
    expect(nextRunAt(new Date('2030-12-31T23:00:00Z'), 0).toISOString()).toBe('2031-01-01T00:00:00.000Z');
  });
});
