import { describeWhenInstalled } from './installed';

/**
 * The redis-server that jest global setup started, or undefined when the binary is not installed
 * (the Redis suites are then skipped, or fail with CI=true; CI installs it).
 */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL;

/** `describe` when a real Redis is available (see describeWhenInstalled). */
export function describeWithRedis(name: string, fn: () => void): void {
  describeWhenInstalled(!!TEST_REDIS_URL, 'redis-server', 'apt-get install -y redis-server', name, fn);
}
