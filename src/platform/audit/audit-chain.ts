import { hash } from 'node:crypto';
import type { AuditChange } from './audit-record.entity';

/** The `prevHash` of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** What a record's hash covers: every field but the hashes themselves. */
export interface AuditContent {
  seq: string;
  createdAt: Date;
  actorKeyId: string | null;
  actorKeyPrefix: string | null;
  actorOwner: string | null;
  action: string;
  targetType: string;
  targetId: string;
  targetOwner: string | null;
  requestId: string | null;
  clientIp: string | null;
  outcome: string;
  changes: Record<string, AuditChange> | null;
}

/** JSON with object keys sorted, so a jsonb round trip (which reorders keys) hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** A fixed-order array, so no field can be moved into another without changing the hash. */
export function canonicalContent(r: AuditContent): string {
  return canonicalJson([
    r.seq,
    r.createdAt.toISOString(),
    r.actorKeyId,
    r.actorKeyPrefix,
    r.actorOwner,
    r.action,
    r.targetType,
    r.targetId,
    r.targetOwner,
    r.requestId,
    r.clientIp,
    r.outcome,
    r.changes,
  ]);
}

/** sha256(previous record's hash, a newline, this record's canonical content), in hex. */
export function chainHash(prevHash: string, content: AuditContent): string {
  return hash('sha256', `${prevHash}\n${canonicalContent(content)}`, 'hex');
}
