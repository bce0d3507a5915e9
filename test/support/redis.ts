/**
 * The redis-server that jest global setup started, or undefined when the binary is not installed
 * (global setup then prints that the Redis tests are skipped; CI installs it so that they always run there).
 */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL;

/** `describe` when a real Redis is available; otherwise the suite is skipped under a name that says why. */
export function describeWithRedis(name: string, fn: () => void): void {
  if (TEST_REDIS_URL) describe(name, fn);
  else describe.skip(`${name} [redis-server is not installed]`, fn);
}
