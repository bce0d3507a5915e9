export default async function globalTeardown() {
  const redis = globalThis.__TEST_REDIS__;
  if (redis) {
    redis.child.kill('SIGTERM');
    await new Promise((resolve) => (redis.child.exitCode !== null ? resolve() : redis.child.once('exit', resolve)));
  }
  await globalThis.__TEST_PG__?.stop();
}
