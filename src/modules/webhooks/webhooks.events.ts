/**
 * The catalogue of event types delivered by webhooks. Every payload is `{id, type, timestamp, data}`; `data` is
 * described here. Modules publish through WebhookPublisher inside the transaction that makes the change.
 */
export interface EventTypeDescription {
  type: string;
  /** The module that publishes it. */
  source: string;
  description: string;
}

export const WEBHOOK_TEST = 'webhook.test';
export const WEBHOOK_ENDPOINT_DISABLED = 'webhook.endpoint.disabled';

export const EVENT_CATALOGUE: readonly EventTypeDescription[] = [
  {
    type: 'model.registered',
    source: 'registry',
    description: 'A model was registered. data: the model (name, token, metric, owner).',
  },
  {
    type: 'model.version.created',
    source: 'registry',
    description: 'A version of a model was uploaded or trained. data: model name, version number, lineage.',
  },
  {
    type: 'model.promoted',
    source: 'registry',
    description: 'An alias (such as production) now points at another version. data: model, alias, from, to.',
  },
  {
    type: 'model.rolled_back',
    source: 'registry',
    description: 'An alias was moved back to an earlier version. data: model, alias, from, to, reason.',
  },
  {
    type: 'contribution.received',
    source: 'contributions',
    description: 'A data contribution was accepted for processing. data: contribution id, model, rows, wallet.',
  },
  {
    type: 'contribution.processed',
    source: 'contributions',
    description: 'A contribution was accepted or rejected. data: contribution id, model, status, reason.',
  },
  {
    type: 'contribution.included_in_training',
    source: 'contributions',
    description:
      'An accepted contribution was used by a training run. data: contribution id, model, wallet, the trained ' +
      'model name and version.',
  },
  {
    type: 'contribution.rewarded',
    source: 'contributions',
    description:
      'A contribution used in training was rewarded. data: contribution id, model, wallet, txHash, rewardId.',
  },
  {
    type: 'contributor.erased',
    source: 'contributions',
    description:
      "A contributor (wallet) had its rows' contents erased; one event per model concerned, once. data: " +
      'walletAddress, model, contributionIds, datasetHashes, rowsErased, by (signature or admin), erasedAt. ' +
      'Hashes, counts and lineage stay; models already trained on the rows are not retrained.',
  },
  {
    type: 'deltaone.achieved',
    source: 'deltaone',
    description: 'A candidate version beat its baseline by at least 1 percentage point. data: evaluation, delta.',
  },
  {
    type: 'reward.minted',
    source: 'deltaone',
    description: 'Tokens were minted to the contributors of a DeltaOne improvement. data: reward, transaction.',
  },
  {
    type: WEBHOOK_TEST,
    source: 'webhooks',
    description: 'Sent to one endpoint by POST /api/v1/webhooks/endpoints/{id}/test. data: endpointId, message.',
  },
  {
    type: WEBHOOK_ENDPOINT_DISABLED,
    source: 'webhooks',
    description:
      'An endpoint was disabled automatically (it answered 410, or failed without a success for ' +
      'WEBHOOK_DISABLE_AFTER_DAYS). data: endpointId, url, reason (gone or failing), disabledAt.',
  },
];

/** A subscription pattern: `*`, an exact type, or a prefix ending in `.*` (such as `model.*`). */
export const EVENT_TYPE_PATTERN = /^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$/;

export function matchesEventType(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

/** The webhooks section of the OpenAPI description: delivery semantics and the event catalogue. */
export function webhooksApiDescription(): string {
  return [
    '## Webhooks',
    '',
    'Events are delivered as signed POSTs (Standard Webhooks): headers `webhook-id` (the message id, stable across ' +
      'retries and replays; dedupe on it), `webhook-timestamp` (of the attempt) and `webhook-signature` ' +
      '(`v1,<base64 HMAC-SHA256 of id.timestamp.body>`, two space-separated during a secret rotation). The body is ' +
      '`{id, type, timestamp, data}`, at most 20 KB (larger `data` becomes `{truncated: true, <ids>, url}`). ' +
      'Delivery is at least once, in no guaranteed order; only 2xx is success; 410 disables the endpoint; ' +
      '`Retry-After` on 429/503 is honoured. Verify the raw body before parsing it.',
    '',
    '| event type | published by | data |',
    '|---|---|---|',
    ...EVENT_CATALOGUE.map((e) => `| \`${e.type}\` | ${e.source} | ${e.description} |`),
  ].join('\n');
}
