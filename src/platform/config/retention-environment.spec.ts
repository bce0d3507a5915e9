import { ConfigValidationError, validateEnvironment } from './environment';

describe('retention configuration', () => {
  it('should use the documented defaults when nothing is set', () => {
    expect(validateEnvironment({})).toMatchObject({
      RETENTION_ENABLED: true,
      RETENTION_HOUR_UTC: 3,
      RETENTION_BATCH_SIZE: 1000,
      WEBHOOK_DELIVERY_RETENTION_DAYS: 30,
      EVENT_RETENTION_DAYS: 30,
      IDEMPOTENCY_RETENTION_DAYS: 7,
    });
  });

  it('should read each setting as a number when given as a string', () => {
    const env = validateEnvironment({
      RETENTION_ENABLED: 'false',
      RETENTION_HOUR_UTC: '0',
      RETENTION_BATCH_SIZE: '50',
      WEBHOOK_DELIVERY_RETENTION_DAYS: '90',
      EVENT_RETENTION_DAYS: '14',
      IDEMPOTENCY_RETENTION_DAYS: '1',
    });
    expect(env).toMatchObject({
      RETENTION_ENABLED: false,
      RETENTION_HOUR_UTC: 0,
      RETENTION_BATCH_SIZE: 50,
      WEBHOOK_DELIVERY_RETENTION_DAYS: 90,
      EVENT_RETENTION_DAYS: 14,
      IDEMPOTENCY_RETENTION_DAYS: 1,
    });
  });

  it('should name every bad setting when a retention is zero, fractional or not a number', () => {
    try {
      validateEnvironment({
        WEBHOOK_DELIVERY_RETENTION_DAYS: '0',
        EVENT_RETENTION_DAYS: '1.5',
        IDEMPOTENCY_RETENTION_DAYS: 'week',
        RETENTION_HOUR_UTC: '24',
        RETENTION_BATCH_SIZE: '0',
      });
      throw new Error('expected a ConfigValidationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigValidationError);
      const problems = (err as ConfigValidationError).problems.join('\n');
      expect(problems).toMatch(/^WEBHOOK_DELIVERY_RETENTION_DAYS must be an integer number of days/m);
      expect(problems).toMatch(/^EVENT_RETENTION_DAYS must be an integer number of days/m);
      expect(problems).toMatch(/^IDEMPOTENCY_RETENTION_DAYS must be an integer number of days/m);
      expect(problems).toMatch(/^RETENTION_HOUR_UTC must be an integer hour between 0 and 23/m);
      expect(problems).toMatch(/^RETENTION_BATCH_SIZE must be an integer between 1 and 100000/m);
    }
  });
});
