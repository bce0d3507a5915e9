async function stopChild(child) {
  if (!child) return;
  child.kill('SIGTERM');
  await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
}

export default async function globalTeardown() {
  await Promise.all([stopChild(globalThis.__TEST_REDIS__?.child), stopChild(globalThis.__TEST_ANVIL__?.child)]);
  await globalThis.__TEST_PG__?.stop();
}
