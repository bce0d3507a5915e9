import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../auth/scopes';
import { beforeCommit, requireTransaction, TxHost } from '../database/transactions';
import { DomainError } from '../errors';
import type { Page } from '../http/pagination';
import { currentRequest } from '../http/request-context';
import { chainHash, GENESIS_HASH, type AuditContent } from './audit-chain';
import { AuditChange, AuditRecordEntity } from './audit-record.entity';

/** The object a write changed. `owner` is its owner, when it has one (owners see records about their objects). */
export interface AuditTarget {
  type: string;
  id: string;
  owner?: string | null;
}

export interface AuditEntry {
  /** `<object>.<verb>`, e.g. `model.promote`, `api_key.create`. */
  action: string;
  target: AuditTarget;
  /** What changed: build it with changesOf(), which clamps values and leaves out unlisted fields. */
  changes?: Record<string, AuditChange> | null;
  /** `success` unless the caller says otherwise. */
  outcome?: string;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  since?: Date;
  until?: Date;
  limit?: number;
  cursor?: string;
}

export type AuditBreak = 'SEQUENCE_GAP' | 'PREVIOUS_HASH_MISMATCH' | 'HASH_MISMATCH';

export interface AuditVerification {
  valid: boolean;
  checked: number;
  lastSeq: string | null;
  lastHash: string | null;
  firstBroken: { seq: string; reason: AuditBreak; detail: string } | null;
}

const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
/** One lock for the whole chain (the bytes of "audit"): every replica's appends take it, so the chain is linear. */
const CHAIN_LOCK = '418581342580';
const COLUMNS = [
  'seq',
  'createdAt',
  'actorKeyId',
  'actorKeyPrefix',
  'actorOwner',
  'action',
  'targetType',
  'targetId',
  'targetOwner',
  'requestId',
  'clientIp',
  'outcome',
  'changes',
  'prevHash',
  'hash',
] as const;
const VERIFY_BATCH = 1000;

/**
 * The audit log. `record` appends to a hash chain inside the caller's transaction, so a record exists if and only
 * if the change it describes commits; who, from where and under which request id come from the request being
 * handled (a job or timer writes as the system, with no actor).
 */
@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly txHost: TxHost,
  ) {}

  /**
   * Records the entries in the ambient transaction, refusing outside one. They are appended right before that
   * transaction commits, whichever module's call opened it: appending takes the chain's lock
   * (`pg_advisory_xact_lock`), which serialises every audited write from there to its commit, and a row lock taken
   * after it could deadlock with a writer that holds that row and waits for the chain. Needs READ COMMITTED (the
   * default), so that the head read after the lock sees the last committed record.
   */
  // async so that a refusal is a rejected promise, as with every other write.
  // eslint-disable-next-line @typescript-eslint/require-await
  async record(entries: AuditEntry | AuditEntry[]): Promise<void> {
    const manager = requireTransaction(
      this.txHost,
      'audit records must be written inside the transaction that makes the change',
    );
    const list = Array.isArray(entries) ? entries : [entries];
    if (list.length === 0) return;
    for (const e of list) if (!ACTION.test(e.action)) throw new Error(`audit action ${e.action} is not object.verb`);
    // Who and from where are read now, while the request's context is certainly this one.
    const request = currentRequest();
    beforeCommit(manager, () => this.append(manager, list, request));
  }

  private async append(manager: EntityManager, list: AuditEntry[], request: FastifyRequest | undefined): Promise<void> {
    const principal = request?.principal;
    const createdAt = new Date();
    await manager.query(`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`);
    const head = await manager.query<{ seq: string; hash: string }[]>(
      'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
    );
    let seq = BigInt(head[0]?.seq ?? 0);
    let prevHash = head[0]?.hash ?? GENESIS_HASH;
    const values: unknown[] = [];
    const rows: string[] = [];
    for (const e of list) {
      seq += 1n;
      const content: AuditContent = {
        seq: seq.toString(),
        createdAt,
        actorKeyId: principal?.keyId ?? null,
        actorKeyPrefix: principal?.prefix ?? null,
        actorOwner: principal?.owner ?? null,
        action: e.action,
        targetType: e.target.type,
        targetId: e.target.id,
        targetOwner: e.target.owner ?? null,
        requestId: request?.id ?? null,
        clientIp: request?.ip ?? null,
        outcome: e.outcome ?? 'success',
        // Through JSON once, so what is hashed is what jsonb stores (a Date becomes its ISO string, undefined goes).
        changes: e.changes && Object.keys(e.changes).length > 0 ? storable(e.changes) : null,
      };
      const hash = chainHash(prevHash, content);
      const row = { ...content, changes: content.changes && JSON.stringify(content.changes), prevHash, hash };
      rows.push(`(${COLUMNS.map((c) => `$${values.push(row[c])}`).join(', ')})`);
      prevHash = hash;
    }
    await manager.query(
      `INSERT INTO audit_log (${COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES ${rows.join(', ')}`,
      values,
    );
  }

  /** Newest first. An admin sees every record; others those they made or that are about their objects. */
  async list(principal: Principal, query: AuditQuery): Promise<Page<AuditRecordEntity>> {
    const limit = query.limit ?? 20;
    const qb = this.dataSource.getRepository(AuditRecordEntity).createQueryBuilder('a');
    if (!principal.isAdmin) qb.andWhere('(a.actorOwner = :me OR a.targetOwner = :me)', { me: principal.owner });
    if (query.actor) {
      qb.andWhere('(a.actorOwner = :actor OR a.actorKeyPrefix = :actor OR "a"."actorKeyId"::text = :actor)', {
        actor: query.actor,
      });
    }
    if (query.action) qb.andWhere('a.action = :action', { action: query.action });
    if (query.targetType) qb.andWhere('a.targetType = :targetType', { targetType: query.targetType });
    if (query.targetId) qb.andWhere('a.targetId = :targetId', { targetId: query.targetId });
    if (query.since) qb.andWhere('a.createdAt >= :since', { since: query.since });
    if (query.until) qb.andWhere('a.createdAt < :until', { until: query.until });
    if (query.cursor) qb.andWhere('a.seq < :before', { before: decodeCursor(query.cursor) });
    const rows = await qb
      .orderBy('a.seq', 'DESC')
      .limit(limit + 1)
      .getMany();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    const nextCursor = rows.length > limit && last ? Buffer.from(`s${last.seq}`).toString('base64url') : null;
    return { items, nextCursor };
  }

  /** Walks the chain from the first record and names the first one whose link or hash does not hold. */
  async verify(): Promise<AuditVerification> {
    const repo = this.dataSource.getRepository(AuditRecordEntity);
    let expected = 1n;
    let prevHash = GENESIS_HASH;
    let checked = 0;
    let lastSeq: string | null = null;
    for (;;) {
      const batch = await repo
        .createQueryBuilder('a')
        .where('a.seq >= :from', { from: expected.toString() })
        .orderBy('a.seq', 'ASC')
        .limit(VERIFY_BATCH)
        .getMany();
      for (const r of batch) {
        const broken = (reason: AuditBreak, detail: string): AuditVerification => ({
          valid: false,
          checked,
          lastSeq,
          lastHash: prevHash === GENESIS_HASH ? null : prevHash,
          firstBroken: { seq: r.seq, reason, detail },
        });
        if (BigInt(r.seq) !== expected) {
          return broken('SEQUENCE_GAP', `expected record ${expected}, found ${r.seq}: records are missing`);
        }
        if (r.prevHash !== prevHash) {
          return broken('PREVIOUS_HASH_MISMATCH', 'its prevHash is not the hash of the record before it');
        }
        if (chainHash(prevHash, r) !== r.hash) {
          return broken('HASH_MISMATCH', 'its content does not hash to its stored hash: it was changed');
        }
        prevHash = r.hash;
        lastSeq = r.seq;
        expected += 1n;
        checked++;
      }
      if (batch.length < VERIFY_BATCH) break;
    }
    return { valid: true, checked, lastSeq, lastHash: lastSeq ? prevHash : null, firstBroken: null };
  }
}

function storable(changes: Record<string, AuditChange>): Record<string, AuditChange> {
  return JSON.parse(JSON.stringify(changes)) as Record<string, AuditChange>;
}

function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (/^s[1-9][0-9]{0,18}$/.test(text)) return text.slice(1);
  throw new DomainError('INVALID_CURSOR', 'invalid', 'The cursor is not one this server returned.', {
    errors: [{ field: 'cursor', code: 'INVALID_CURSOR', message: 'cursor is not valid' }],
  });
}
