import { Injectable } from '@nestjs/common';
import { monotonicFactory } from 'ulid';
import { EntityManager } from 'typeorm';

const ulid = monotonicFactory();

export function newMessageId(): string {
  return `msg_${ulid()}`;
}

export interface PublishOptions {
  modelName?: string;
  owner?: string;
}

/**
 * Publishes domain events. Always call it with the EntityManager of the transaction that makes the change:
 * the event exists if and only if the change commits.
 */
@Injectable()
export class EventsService {
  async publish(manager: EntityManager, type: string, data: object, options: PublishOptions = {}): Promise<string> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(`event ${type} must be published inside the transaction that makes the change`);
    }
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
