import { setTimeout as sleep } from 'node:timers/promises';
import { answer, type DeltaOneClient } from '../client';
import { ProblemError } from '../problem-error';
import { FEATURES, LABEL, rows, truth } from './data';
import { check, type DemoLog } from './log';

const UNITS = 240;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

interface Summary {
  mean?: number;
  interval?: { low: number; high: number } | null;
}

/** Records an outcome, waiting for the prediction log to be written (it is batched, at most a second late). */
async function recordOutcome(client: DeltaOneClient, requestId: string, value: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await answer(
        client.POST('/api/v1/predictions/{requestId}/outcome', { params: { path: { requestId } }, body: { value } }),
      );
      return;
    } catch (e) {
      if (!(e instanceof ProblemError && e.code === 'PREDICTION_NOT_FOUND') || attempt >= 20) throw e;
      await sleep(250);
    }
  }
}

/**
 * v1 against v2 on live traffic: 240 users (X-User-Id), each served by the variant its hash picks, each outcome
 * "was the answer right" reported back; the results' always-valid decision picks the winner, which is promoted.
 */
export async function runExperiment(client: DeltaOneClient, log: DemoLog, name: string): Promise<void> {
  const created = await answer(
    client.POST('/api/v1/experiments', {
      body: {
        name: `demo ${name}: v1 vs v2`,
        model: name,
        variants: [
          { name: 'v1', version: 1, weight: 50 },
          { name: 'v2', version: 2, weight: 50 },
        ],
        primaryMetric: { name: 'correct', kind: 'proportion', direction: 'increase' },
        minimumDetectableEffect: 0.1,
        minSamplesPerVariant: 50,
        autoPromote: true,
      },
    }),
  );
  const id = created.id;
  await answer(client.POST('/api/v1/experiments/{id}/start', { params: { path: { id } } }));
  log.info(
    `experiment ${id}: ${created.variants.map((v) => `${v.name} (v${v.version}, ${v.weight}%)`).join(' vs ')}, running`,
  );

  const traffic = rows(UNITS, 106, truth);
  const served = new Map<string, number>();
  let unrouted = 0;
  // The server's scheduled check may promote the winner while traffic still flows (a slow machine sends it more
  // slowly): from then on requests are not routed, and the traffic stops.
  for (let i = 0; i < traffic.length && unrouted === 0; i += 12) {
    await Promise.all(
      traffic.slice(i, i + 12).map(async (r, j) => {
        const inputs = [Object.fromEntries(FEATURES.map((f) => [f, Number(r[f])]))];
        const p = await answer(
          client.POST('/api/v1/models/{name}/predict', {
            params: { path: { name } },
            body: { inputs },
            headers: { 'x-user-id': `user-${i + j}` },
          }),
        );
        const variant = p.experiment?.variant;
        if (!variant) {
          unrouted++;
          return;
        }
        served.set(variant, (served.get(variant) ?? 0) + 1);
        await recordOutcome(client, p.requestId, p.predictions[0].label === r[LABEL] ? 1 : 0);
      }),
    );
  }
  const users = [...served.values()].reduce((a, b) => a + b, 0);
  log.info(`${users} users served: ${[...served].map(([v, n]) => `${v} ${n}`).join(', ')}; each outcome reported`);
  if (unrouted > 0) {
    const ended = await answer(client.GET('/api/v1/experiments/{id}', { params: { path: { id } } }));
    log.info(`the experiment was ${ended.status} before all ${UNITS} users came: the server's check had decided`);
    check(ended.status !== 'running', 'every prediction was routed while the experiment ran');
  }

  const results = await answer(client.GET('/api/v1/experiments/{id}/results', { params: { path: { id } } }));
  for (const v of results.variants) {
    const s = (v.statistics.summary ?? {}) as Summary;
    const correct = s.mean === undefined ? '-' : pct(s.mean);
    const interval = s.interval ? ` [${pct(s.interval.low)}, ${pct(s.interval.high)}]` : '';
    const p95 = Number(v.latencyMs.p95);
    log.info(`${v.name}: ${v.outcomes} outcomes, correct ${correct}${interval}, latency p95 ${p95.toFixed(1)} ms`);
  }
  const why = results.reasons.map((r) => String(r.message)).join('; ');
  log.info(`decision: ${results.decision}${results.winner ? `, winner ${results.winner}` : ''} (${why})`);
  check(
    results.decision === 'winner' && results.winner === 'v2',
    `the experiment did not pick v2: ${results.decision}`,
  );

  // The server's scheduled check (every EXPERIMENT_CHECK_SECONDS, 30 by default) promotes a promotable winner.
  const until = Date.now() + AUTO_PROMOTE_WAIT_MS;
  for (;;) {
    const model = await answer(client.GET('/api/v1/models/{name}', { params: { path: { name } } }));
    const experiment = await answer(client.GET('/api/v1/experiments/{id}', { params: { path: { id } } }));
    if (model.aliases.find((a) => a.alias === 'production')?.version === 2 && experiment.status === 'completed') {
      log.info('the server promoted v2 to production itself (autoPromote) and completed the experiment');
      return;
    }
    if (Date.now() > until) break;
    await sleep(1000);
  }
  await answer(client.POST('/api/v1/experiments/{id}/stop', { params: { path: { id } } }));
  log.info(
    `the server's check had not promoted the winner within ${AUTO_PROMOTE_WAIT_MS / 1000} s ` +
      '(EXPERIMENT_CHECK_SECONDS), so the demo stopped the experiment and promotes v2 itself',
  );
  const promoted = await answer(
    client.POST('/api/v1/models/{name}/promote', { params: { path: { name } }, body: { version: 2 } }),
  );
  log.info(`production: v${promoted.version} (was v1); the experiment is stopped`);
}

const AUTO_PROMOTE_WAIT_MS = 45_000;
