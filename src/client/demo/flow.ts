import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { answer, createDeltaOneClient } from '../client';
import { signContribution } from '../contribution-signature';
import { ProblemError } from '../problem-error';
import { followTrainingRun } from '../training-events';
import { uploadDataset, uploadVersion } from '../upload';
import { FEATURES, jsonl, LABEL, type Row, rows, skewed, trainLocally, truth } from './data';
import { check, DemoFailure, type DemoLog } from './log';
import type { DemoReceiver } from './receiver';
import { runExperiment } from './experiment';
import { contributeRows, mintAndBalances, waitForDecision, webhookReport } from './steps';

export interface DemoOptions {
  baseUrl: string;
  apiKey: string;
  log: DemoLog;
  receiver: DemoReceiver;
  /** Seconds to wait for the mint and the deliveries before calling the step failed. */
  timeoutSeconds: number;
}

export const STEPS = 14;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** The whole flow of the README on generated data; throws DemoFailure (or a ProblemError) at the first bad step. */
export async function runDemo(o: DemoOptions): Promise<void> {
  const { log } = o;
  const admin = createDeltaOneClient({ baseUrl: o.baseUrl, apiKey: o.apiKey });
  const suffix = Date.now().toString(36).slice(-5) + Math.floor(Math.random() * 1296).toString(36);
  const name = `demo-${suffix}`;
  const dir = mkdtempSync(join(tmpdir(), 'deltaone-demo-'));
  try {
    await log.step(`Connect to ${o.baseUrl}`, async () => {
      const key = await answer(admin.GET('/api/v1/api-keys/current'));
      log.info(`key ${key.prefix}... of owner "${key.owner}", scopes ${key.scopes.join(', ')}`);
      check(key.scopes.includes('admin'), 'DELTAONE_API_KEY must be an admin key (the bootstrap key)');
    });

    const endpointId = await log.step('Register a webhook endpoint at the local receiver', async () => {
      const created = await answer(
        admin
          .POST('/api/v1/webhooks/endpoints', {
            body: { url: o.receiver.url, eventTypes: ['*'], modelNames: [name], description: 'npm run demo' },
          })
          .catch((e: unknown) => {
            if (e instanceof ProblemError && /http/i.test(e.detail)) {
              throw new DemoFailure(
                `${e.code}: ${e.detail}\nThe demo receives webhooks on ${o.receiver.url}: start the server with ` +
                  'NODE_ENV=development (the default), or WEBHOOK_ALLOW_HTTP=true WEBHOOK_ALLOW_PRIVATE=true.',
              );
            }
            throw e;
          }),
      );
      o.receiver.useSecret(created.secret);
      log.info(`endpoint ${created.id} -> ${o.receiver.url} (every event of model ${name}), secret whsec_...`);
      return created.id;
    });

    const base = rows(60, 101, skewed);
    const benchmark = rows(1000, 102, truth);
    await log.step(`Register the model ${name} and upload v1`, async () => {
      const model = await answer(
        admin.POST('/api/v1/models', {
          body: {
            name,
            tokenId: `DEMO${suffix.toUpperCase()}`.slice(0, 11),
            benchmarkMetric: 'accuracy',
            labelColumn: LABEL,
            labelKind: 'classes',
            description: 'npm run demo: class 1 when f0 + f1 > 0',
          },
        }),
      );
      log.info(`model ${model.name}, token ${model.tokenId}, metric ${model.benchmarkMetric}, label "${LABEL}"`);
      const v1 = await trainLocally(base);
      const file = join(dir, 'v1.onnx');
      writeFileSync(file, v1.onnx);
      log.info(
        `v1: logistic regression trained here on ${base.length} skewed rows (labels follow f2, not f0 + f1), ` +
          `validation accuracy ${pct(v1.validation.accuracy)} on those rows`,
      );
      const version = await uploadVersion(admin, name, file, {
        features: FEATURES.map((f) => ({ name: f, type: 'float' })),
        metrics: { accuracy: v1.validation.accuracy },
        description: 'trained on a small skewed sample',
      });
      await answer(admin.POST('/api/v1/models/{name}/promote', { params: { path: { name } }, body: { version: 1 } }));
      const economics = await answer(
        admin.PUT('/api/v1/models/{name}/reward-settings', {
          params: { path: { name } },
          body: { tokensPerDeltaOne: '1000', maxReward: '100000', budget: '1000000' },
        }),
      );
      log.info(
        `reward settings: ${economics.tokensPerDeltaOne} tokens per DeltaOne (1 point), at most ${economics.maxReward} ` +
          `a reward, budget ${economics.budget} (the defaults cap a reward at 2,500,000, above their 1,500,000 budget)`,
      );
      log.info(
        `uploaded v${version.version} (${version.sizeBytes} bytes, sha256 ${version.sha256.slice(0, 16)}...), promoted`,
      );
    });

    await log.step('Upload the training set and a 1,000-row benchmark', async () => {
      for (const [kind, data] of [
        ['training', base],
        ['benchmark', benchmark],
      ] as const) {
        const file = join(dir, `${kind}.jsonl`);
        writeFileSync(file, jsonl(data));
        const d = await uploadDataset(admin, name, file, { kind });
        log.info(`${kind}: ${d.rowCount} rows, ${d.hash.slice(0, 23)}...${d.active ? ' (active benchmark)' : ''}`);
      }
    });

    await log.step('Predict with production (v1)', async () => {
      const sample = rows(4, 103, truth);
      const inputs = sample.map((r) => Object.fromEntries(FEATURES.map((f) => [f, Number(r[f])])));
      const result = await answer(
        admin.POST('/api/v1/models/{name}/predict', { params: { path: { name } }, body: { inputs } }),
      );
      check(result.predictions.length === sample.length, 'one prediction per row');
      result.predictions.forEach((p, i) => {
        const r = sample[i];
        const probability = p.probabilities?.[1]?.toFixed(3) ?? '-';
        log.info(
          `f0+f1=${(Number(r.f0) + Number(r.f1)).toFixed(2)}: v${result.version} says ${String(p.label)} (p1 ${probability}), truth ${String(r[LABEL])}`,
        );
      });
    });

    const { contributor, wallets } = await log.step('Two contributors with their own wallets', async () => {
      const key = await answer(
        admin.POST('/api/v1/api-keys', {
          body: {
            name: `demo contributors ${suffix}`,
            scopes: ['models:read', 'contributions:write', 'contributions:read'],
          },
        }),
      );
      const settings = await answer(
        admin.PUT('/api/v1/models/{name}/contribution-settings', {
          params: { path: { name } },
          body: { piiPolicy: 'reject', requireSignature: true },
        }),
      );
      const ws = [Wallet.createRandom(), Wallet.createRandom()];
      log.info(
        `API key ${key.prefix}... for the contributors (contributions:write), wallets ${ws[0].address}, ${ws[1].address}`,
      );
      log.info(
        `contribution settings: PII policy ${settings.piiPolicy}, signature required, min quality ${settings.minQuality}`,
      );
      return { contributor: createDeltaOneClient({ baseUrl: o.baseUrl, apiKey: key.key }), wallets: ws };
    });

    await log.step('Contributor A sends 300 labelled rows, signed', () =>
      contributeRows(contributor, log, name, wallets[0], rows(300, 104, truth)),
    );

    await log.step('Contributor B sends a row with an email in it, then 200 clean rows', async () => {
      const leaky: Row[] = rows(200, 105, truth);
      leaky[7] = { ...leaky[7], [LABEL]: 'jane.doe@example.com' };
      const refused = await contributor
        .POST('/api/v1/models/{name}/contributions', {
          params: { path: { name } },
          body: { rows: leaky, contributor: await signContribution(wallets[1], name, leaky) },
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      check(
        refused instanceof ProblemError && refused.code === 'PII_DETECTED',
        `expected PII_DETECTED, got ${String(refused)}`,
      );
      const findings = (refused.problem.findings ?? []) as Array<{ row: number; column: string; type: string }>;
      log.info(`refused: ${refused.status} ${refused.code}: ${refused.detail}`);
      log.info(
        `findings (never the value): ${findings.map((f) => `row ${f.row} column ${f.column} ${f.type}`).join('; ')}`,
      );
      await contributeRows(contributor, log, name, wallets[1], rows(200, 105, truth));
    });

    const run = await log.step('Train v2 on the training set and the contributions (live progress)', async () => {
      const started = await answer(
        admin.POST('/api/v1/models/{name}/training-runs', { params: { path: { name } }, body: { seed: 1 } }),
      );
      log.info(`run ${started.id} (${started.family}) ${started.status}`);
      let shown = 0;
      const done = await followTrainingRun(admin, started.id, (e) => {
        if (e.event === 'status') log.info(`status: ${e.data.status}`);
        if (e.event === 'progress' && (shown++ < 3 || shown % 10 === 0)) {
          log.info(
            `iteration ${e.data.iteration}, loss ${e.data.loss.toFixed(4)} (${Math.round(e.data.elapsedMs)} ms)`,
          );
        }
      });
      check(
        done.status === 'registered',
        `the run ended ${done.status}: ${done.failureCode ?? ''} ${done.failureReason ?? ''}`,
      );
      const data = done.data!;
      log.info(
        `${data.rows} rows trained on; dropped: ${data.dropped.map((d) => `${d.rows} ${d.reason}`).join(', ') || 'none'}`,
      );
      for (const c of data.contributions) log.info(`credited ${c.creditedRows} rows to ${c.walletAddress}`);
      log.info(`metrics: ${JSON.stringify(done.metrics)}`);
      return done;
    });

    await log.step(`v2: the version the run registered`, async () => {
      const v2 = await answer(
        admin.GET('/api/v1/models/{name}/versions/{version}', {
          params: { path: { name, version: run.resultVersion! } },
        }),
      );
      log.info(
        `v${v2.version} (parent v${String(v2.parentVersion)}), ${v2.sizeBytes} bytes, sha256 ${v2.sha256.slice(0, 16)}...`,
      );
      log.info(
        `trained on ${v2.contributionIds?.length ?? 0} contributions, dataset ${String(v2.datasetHash).slice(0, 23)}...`,
      );
    });

    const evaluation = await log.step('DeltaOne: v2 against production on the benchmark', () =>
      waitForDecision(admin, log, run.evaluationId!),
    );

    await log.step('The mint: tokens to the contributors, on chain', () =>
      mintAndBalances(admin, log, name, evaluation.id, wallets, o.timeoutSeconds),
    );

    await log.step('A/B experiment: v1 against v2 on live traffic, the winner promoted', () =>
      runExperiment(admin, log, name),
    );

    await log.step('Webhook deliveries at the local receiver, verified with standardwebhooks', () =>
      webhookReport(admin, log, o.receiver, endpointId, o.timeoutSeconds),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
