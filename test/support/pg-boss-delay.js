// pg-boss 10 requires `node:timers/promises` inside every `delay` call. Its workers' wind-down loop calls it a
// second apart after `stop()` returns, and a call after jest has torn a test file down fails the file with
// "Cannot destructure property 'setTimeout'". This is the same function with the import made once, up front.
const { setTimeout: sleep } = require('node:timers/promises');
const tools = require('pg-boss/src/tools');

tools.delay = function delay(ms, error) {
  const ac = new AbortController();
  const promise = new Promise((resolve, reject) => {
    sleep(ms, null, { signal: ac.signal })
      .then(() => (error ? reject(new Error(error)) : resolve()))
      .catch(resolve);
  });
  promise.abort = () => {
    if (!ac.signal.aborted) ac.abort();
  };
  return promise;
};
