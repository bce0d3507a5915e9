import { hash } from 'node:crypto';
import { canonicalJson } from '../json';
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
    // As PostgreSQL's jsonb keeps it (what /verify reads back): undefined keys dropped, dates as ISO strings.
    r.changes === null ? null : (JSON.parse(JSON.stringify(r.changes)) as unknown),
  ]);
}

/** sha256(previous record's hash, a newline, this record's canonical content), in hex. */
export function chainHash(prevHash: string, content: AuditContent): string {
  return hash('sha256', `${prevHash}\n${canonicalContent(content)}`, 'hex');
}
