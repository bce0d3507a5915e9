import { setTimeout as sleep } from 'node:timers/promises';
import { formatUnits, verifyTypedData, type HDNodeWallet, type TypedDataField } from 'ethers';
import { answer, type DeltaOneClient } from '../client';
import { signContribution } from '../contribution-signature';
import type { components } from '../schema';
import type { Row } from './data';
import { check, DemoFailure, type DemoLog } from './log';
import type { DemoReceiver } from './receiver';

type Evaluation = components['schemas']['EvaluationResponseDto'];
type Reward = components['schemas']['RewardResponseDto'];

const bps = (v: number | null) => (v === null ? '-' : `${(v / 100).toFixed(2)}%`);
const tokens = (units: string | null) => (units === null ? '-' : formatUnits(units, 18));

/** Polls `read` every 500 ms until it answers something, for at most `seconds`. */
async function until<T>(what: string, seconds: number, read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new DemoFailure(`gave up after ${seconds} s waiting for ${what}`);
    await sleep(500);
  }
}

interface Statistics {
  paired?: { test?: string; pValue?: number; b?: number; c?: number; t?: number };
  wald?: { lowBps?: number; highBps?: number };
  alpha?: number;
  thresholdBps?: number;
}

/** The significance test, its p-value and the Wald interval, as one line (the whole object when unknown). */
function describeStatistics(raw: Record<string, unknown>): string {
  const s = raw as Statistics;
  if (!s.paired?.test) return `statistics: ${JSON.stringify(raw)}`;
  const discordant =
    s.paired.b === undefined ? '' : ` (discordant rows: v1 right ${s.paired.b}, v2 right ${s.paired.c})`;
  const wald = s.wald ? `; Wald 95% interval [${Math.round(s.wald.lowBps!)}, ${Math.round(s.wald.highBps!)}] bps` : '';
  return (
    `${s.paired.test} p = ${s.paired.pValue?.toExponential(2)}${discordant}${wald}; ` +
    `gates: delta >= ${s.thresholdBps} bps, p < ${s.alpha}`
  );
}

/** Sends `data` signed by `wallet` and checks it is accepted whole. */
export async function contributeRows(
  client: DeltaOneClient,
  log: DemoLog,
  name: string,
  wallet: HDNodeWallet,
  data: Row[],
): Promise<void> {
  const contributor = await signContribution(wallet, name, data);
  const c = await answer(
    client.POST('/api/v1/models/{name}/contributions', {
      params: { path: { name } },
      body: { rows: data, contributor, license: 'CC-BY-4.0' },
    }),
  );
  check('counts' in c, 'a contribution this small is processed at once');
  const q = c.qualityReport;
  log.info(
    `contribution ${c.id}: ${c.status}${c.signatureVerified ? ', signature verified' : ''}; ` +
      `${c.counts.accepted}/${c.counts.received} rows accepted, quality ${q ? q.score.toFixed(3) : '-'}, ` +
      `PII ${c.piiSummary?.action ?? '-'}`,
  );
  check(c.status === 'accepted', `contribution ${c.status}: ${c.rejectionCode ?? ''} ${c.rejectionReason ?? ''}`);
  check(c.signatureVerified, 'the signature was verified');
}

/** Waits for the evaluation a run queued and checks DeltaOne accepted v2. */
export async function waitForDecision(client: DeltaOneClient, log: DemoLog, id: string): Promise<Evaluation> {
  const e = await until('the evaluation', 120, async () => {
    const got = await answer(client.GET('/api/v1/evaluations/{id}', { params: { path: { id } } }));
    return got.status === 'completed' || got.status === 'failed' ? got : undefined;
  });
  log.info(
    `${e.metric} on ${e.n ?? '-'} benchmark rows: v${e.baseline.version} ${bps(e.baseline.metricBps)} -> v${e.candidate.version} ${bps(e.candidate.metricBps)}, delta ${e.deltaBps ?? '-'} bps`,
  );
  log.info(describeStatistics(e.statistics ?? {}));
  log.info(`decision: ${e.reason ?? e.status}`);
  check(e.status === 'completed' && e.accepted === true, `DeltaOne did not accept v2: ${e.reason ?? e.status}`);
  return e;
}

/** Waits for the reward of the evaluation to be confirmed, then shows each wallet's balance read from the chain. */
export async function mintAndBalances(
  client: DeltaOneClient,
  log: DemoLog,
  name: string,
  evaluationId: string,
  wallets: HDNodeWallet[],
  seconds: number,
): Promise<void> {
  const reward: Reward = await until('the reward to be confirmed on chain', seconds, async () => {
    const page = await answer(client.GET('/api/v1/models/{name}/rewards', { params: { path: { name } } }));
    const r = page.items.find((i) => i.evaluationId === evaluationId);
    if (r && (r.status === 'skipped' || r.status === 'failed')) {
      throw new DemoFailure(`the reward was ${r.status}: ${r.reason ?? r.failureReason ?? ''}`);
    }
    return r?.status === 'confirmed' ? r : undefined;
  });
  log.info(`reward ${reward.id}: ${tokens(reward.total)} ${reward.tokenId} for ${reward.deltaBps} bps`);
  log.info(`tx ${reward.txHash} in block ${reward.blockNumber}, token ${reward.tokenAddress}`);
  for (const p of reward.recipients) {
    log.info(
      `  ${p.walletAddress}: ${p.creditedRows} rows, weight ${p.weightBps / 100}%, ${tokens(p.amount)} ${reward.tokenId}`,
    );
  }
  for (const w of wallets) {
    const mine = await answer(
      client.GET('/api/v1/contributors/{walletAddress}/rewards', { params: { path: { walletAddress: w.address } } }),
    );
    const balance = mine.balances.find((b) => b.tokenId === reward.tokenId);
    const owed = reward.recipients.find((p) => p.walletAddress === w.address)?.amount;
    log.info(`on-chain balance of ${w.address}: ${tokens(balance?.balance ?? null)} ${reward.tokenId}`);
    check(owed !== undefined && balance?.balance === owed, `the balance of ${w.address} is its share`);
  }
  const a = await answer(
    client.GET('/api/v1/evaluations/{id}/attestation', { params: { path: { id: evaluationId } } }),
  );
  const types = a.types as unknown as Record<string, TypedDataField[]>;
  const signer = verifyTypedData(a.domain, types, a.value, a.signature);
  log.info(
    `attestation ${a.attestationHash.slice(0, 18)}... signed by ${a.signer} (EIP-712 checked here: ${signer === a.signer ? 'valid' : 'INVALID'})`,
  );
  check(signer === a.signer, 'the attestation signature recovers its signer');
}

/** The events the flow must have published to the demo's endpoint. */
export const EXPECTED_EVENTS = [
  'model.registered',
  'model.version.created',
  'model.promoted',
  'dataset.created',
  'contribution.processed',
  'training.started',
  'training.completed',
  'evaluation.completed',
  'deltaone.achieved',
  'reward.minted',
  'experiment.started',
  'experiment.completed',
];

/** Waits until every expected event reached the receiver, verified, and lists them with the server's delivery log. */
export async function webhookReport(
  client: DeltaOneClient,
  log: DemoLog,
  receiver: DemoReceiver,
  endpointId: string,
  seconds: number,
): Promise<void> {
  const missing = () => EXPECTED_EVENTS.filter((t) => !receiver.types().includes(t));
  await until(`deliveries of ${EXPECTED_EVENTS.join(', ')}`, seconds, () =>
    Promise.resolve(missing().length === 0 ? true : undefined),
  ).catch((e: unknown) => {
    throw new DemoFailure(`${(e as Error).message}; missing ${missing().join(', ')}${hint(receiver)}`);
  });
  const counts = new Map<string, number>();
  for (const t of receiver.types()) counts.set(t, (counts.get(t) ?? 0) + 1);
  log.info(`${receiver.events.length} distinct messages received, each verified (standardwebhooks, raw body):`);
  for (const [type, n] of counts) log.info(`  ${type}${n > 1 ? ` x${n}` : ''}`);
  const minted = receiver.events.find((e) => e.type === 'reward.minted');
  log.info(`reward.minted says tx ${String(minted?.data.txHash)}`);
  const page = await answer(
    client.GET('/api/v1/webhooks/endpoints/{id}/deliveries', {
      params: { path: { id: endpointId }, query: { limit: 100 } },
    }),
  );
  const delivered = page.items.filter((d) => d.status === 'delivered').length;
  log.info(`the server's delivery log for the endpoint: ${delivered} of ${page.items.length} deliveries delivered`);
  check(receiver.refused.length === 0, `deliveries failed verification: ${receiver.refused.join('; ')}`);
}

const hint = (receiver: DemoReceiver) =>
  receiver.events.length === 0
    ? ' (none arrived: the server must allow private http targets: NODE_ENV=development, or WEBHOOK_ALLOW_PRIVATE=true WEBHOOK_ALLOW_HTTP=true)'
    : '';
