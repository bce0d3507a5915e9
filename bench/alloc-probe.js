// Preloaded into the server by bench/alloc.js (`node -r bench/alloc-probe.js`), never by the server itself.
// It answers GET http://127.0.0.1:$ALLOC_PROBE_PORT/ with the JS heap's counters, so that bench/alloc.js can read
// how many bytes the server allocated between two such marks:
//   allocated = used(end) - used(start) + freed by every GC in between
// since used(end) = used(start) + allocated - freed. `used` is v8.getHeapStatistics().used_heap_size (every space,
// new space up to its allocation top); `freed` is each GC's usedHeapSize before minus after, from v8.GCProfiler,
// which reports every GC with both. So GCs inside a window do not spoil it, and nothing is sampled.
// The counters are read first thing in the probe's handler, before it allocates its answer.
const http = require('node:http');
const v8 = require('node:v8');
const { isMainThread } = require('node:worker_threads');

// Worker threads (the inference pool) inherit `-r`: only the main thread, which serves HTTP, is measured.
if (isMainThread) start(Number(process.env.ALLOC_PROBE_PORT));

function start(port) {
  let profiler = new v8.GCProfiler();
  profiler.start();

  function mark() {
    const used = v8.getHeapStatistics().used_heap_size;
    const { statistics } = profiler.stop();
    profiler = new v8.GCProfiler();
    profiler.start();
    let freed = 0;
    for (const gc of statistics)
      freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
    return { used, freed, gcs: statistics.length };
  }

  http
    .createServer((req, res) => {
      const m = mark();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(m));
    })
    .listen(port, '127.0.0.1')
    .unref();
}

// Where the bytes go (a debugging aid, not part of the figures): GET /profile/start, then GET /profile/stop answers
// a sampling heap profile that keeps the objects GCs collected too (so short-lived request garbage shows).
if (isMainThread) {
  const inspector = require('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) =>
    new Promise((resolve, reject) => session.post(method, params, (err, r) => (err ? reject(err) : resolve(r))));
  http
    .createServer(async (req, res) => {
      try {
        if (req.url === '/profile/start') {
          await post('HeapProfiler.startSampling', {
            samplingInterval: 256,
            includeObjectsCollectedByMajorGC: true,
            includeObjectsCollectedByMinorGC: true,
          });
          res.end('{}');
        } else {
          const { profile } = await post('HeapProfiler.stopSampling');
          res.end(JSON.stringify(profile));
        }
      } catch (err) {
        res.statusCode = 500;
        res.end(String(err));
      }
    })
    .listen(Number(process.env.ALLOC_PROBE_PORT) + 1, '127.0.0.1')
    .unref();
}
