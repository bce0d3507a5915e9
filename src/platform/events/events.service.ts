import { Injectable } from '@nestjs/common';
import { monotonicFactory } from 'ulid';
import { EntityManager } from 'typeorm';
import { requireTransaction, TxHost } from '../database/transactions';
import { EventPayload, EventType, isDeclaredEvent } from './event-map';

const ulid = monotonicFactory();

export function newMessageId(): string {
  return `msg_${ulid()}`;
}

export interface PublishOptions {
  modelName?: string;
  owner?: string;
}

/**
 * The one way to publish a domain event. It writes to the `events` outbox in the transaction the caller runs in
 * (`txHost.withTransaction` or `@Transactional()`), so the event exists if and only if the change commits; it
 * refuses outside a transaction. Only declared types compile, each with its payload (see event-map.ts).
 */
@Injectable()
export class EventsService {
  constructor(private readonly txHost: TxHost) {}

  async publish<T extends EventType>(type: T, data: EventPayload<T>, options: PublishOptions = {}): Promise<string> {
    const manager = requireTransaction(
      this.txHost,
      `event ${type} must be published inside the transaction that makes the change`,
    );
    return this.insert(manager, type, data, options);
  }

  private async insert(manager: EntityManager, type: string, data: object, options: PublishOptions): Promise<string> {
    if (!isDeclaredEvent(type)) throw new Error(`event ${type} is not declared in any <module>.events.ts`);
    const id = newMessageId();
    // One plain INSERT (no RETURNING): this runs inside every business transaction that publishes, so it stays cheap.
    await manager.query(`INSERT INTO events (id, type, data, "modelName", owner) VALUES ($1, $2, $3, $4, $5)`, [
      id,
      type,
      JSON.stringify(data),
      options.modelName ?? null,
      options.owner ?? null,
    ]);
    return id;
  }
}
