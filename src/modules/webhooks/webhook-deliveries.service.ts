import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AuditService } from 'src/platform/audit';
import { Principal } from 'src/platform/auth';
import { TxHost } from 'src/platform/database';
import { EventEntity } from 'src/platform/events';
import { Page, paginate } from 'src/platform/http';
import { WebhookAttemptEntity } from './webhook-attempt.entity';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';
import { disabled, ownerScope, WebhookEndpointsService } from './webhook-endpoints.service';
import { execute } from './webhook-sql.util';
import { ListDeliveriesQueryDto } from './webhooks.dto';
import { WebhookError } from './webhooks.errors';

const deliveryNotFound = (id: string): WebhookError =>
  new WebhookError('WEBHOOK_DELIVERY_NOT_FOUND', `No webhook delivery ${id}.`);

@Injectable()
export class WebhookDeliveriesService {
  constructor(
    @InjectRepository(WebhookDeliveryEntity) private readonly deliveries: Repository<WebhookDeliveryEntity>,
    @InjectRepository(WebhookAttemptEntity) private readonly attempts: Repository<WebhookAttemptEntity>,
    private readonly txHost: TxHost,
    private readonly endpoints: WebhookEndpointsService,
    private readonly processor: WebhookDeliveryProcessor,
    private readonly audit: AuditService,
  ) {}

  async listForEndpoint(
    p: Principal,
    endpointId: string,
    query: ListDeliveriesQueryDto,
  ): Promise<Page<WebhookDeliveryEntity>> {
    await this.endpoints.get(p, endpointId);
    const qb = this.deliveries
      .createQueryBuilder('d')
      .leftJoinAndSelect('d.message', 'message')
      .where('d.endpointId = :endpointId', { endpointId });
    if (query.status) qb.andWhere('d.status = :status', { status: query.status });
    if (query.since) qb.andWhere('d.createdAt >= :since', { since: query.since });
    if (query.until) qb.andWhere('d.createdAt < :until', { until: query.until });
    return paginate(qb, 'd', query);
  }

  /** The delivery if it belongs to one of the principal's endpoints; 404 otherwise. */
  async get(p: Principal, id: string): Promise<WebhookDeliveryEntity> {
    const qb = this.deliveries
      .createQueryBuilder('d')
      .innerJoin('d.endpoint', 'e')
      .leftJoinAndSelect('d.message', 'message')
      .where('d.id = :id', { id });
    const owner = ownerScope(p);
    if (owner !== undefined) qb.andWhere('e.owner = :owner', { owner });
    const found = await qb.getOne();
    if (!found) throw deliveryNotFound(id);
    return found;
  }

  attemptsOf(deliveryId: string): Promise<WebhookAttemptEntity[]> {
    return this.attempts.find({ where: { deliveryId }, order: { startedAt: 'ASC' } });
  }

  /**
   * Sends the same message again (same webhook-id; a new timestamp and signature) with a fresh schedule. Only a
   * delivery that is finished (delivered or failed) can be replayed.
   */
  async replay(p: Principal, id: string): Promise<WebhookDeliveryEntity> {
    const delivery = await this.get(p, id);
    const endpoint = await this.endpoints.get(p, delivery.endpointId);
    if (!endpoint.enabled) throw disabled(endpoint.id);
    const { count } = await this.txHost.withTransaction(async () => {
      const m = this.txHost.tx;
      const replayed = await execute<{ status: string }>(
        m,
        `UPDATE webhook_deliveries d
         SET status = 'pending', attempts = 0, "nextAttemptAt" = now(), replays = d.replays + 1, "updatedAt" = now()
         FROM webhook_deliveries before
         WHERE d.id = $1 AND before.id = d.id AND d.status IN ('delivered', 'failed')
         RETURNING before.status`,
        [id],
      );
      if (replayed.count > 0) {
        await this.audit.record({
          action: 'webhook_delivery.replay',
          target: { type: 'webhook_delivery', id, owner: endpoint.owner },
          changes: { status: { from: replayed.rows[0].status, to: 'pending' } },
        });
      }
      return replayed;
    });
    if (count === 0) {
      throw new WebhookError(
        'WEBHOOK_DELIVERY_IN_PROGRESS',
        `Webhook delivery ${id} is still queued or in flight; replay it once it is delivered or failed.`,
      );
    }
    this.processor.kick();
    return this.get(p, id);
  }

  /** A message with its deliveries to the principal's endpoints; 404 when the principal has no part in it. */
  async message(p: Principal, msgId: string): Promise<{ message: EventEntity; deliveries: WebhookDeliveryEntity[] }> {
    const message = await this.txHost.tx.getRepository(EventEntity).findOne({ where: { id: msgId } });
    const owner = ownerScope(p);
    const qb = this.deliveries
      .createQueryBuilder('d')
      .innerJoin('d.endpoint', 'e')
      .where('d.messageId = :msgId', { msgId })
      .orderBy('d.createdAt', 'ASC');
    if (owner !== undefined) qb.andWhere('e.owner = :owner', { owner });
    const deliveries = message ? await qb.getMany() : [];
    if (!message || (owner !== undefined && message.owner !== owner && deliveries.length === 0)) {
      throw new WebhookError('WEBHOOK_MESSAGE_NOT_FOUND', `No webhook message ${msgId}.`);
    }
    for (const d of deliveries) d.message = message;
    return { message, deliveries };
  }

  get maxAttempts(): number {
    return this.processor.maxAttempts;
  }
}
