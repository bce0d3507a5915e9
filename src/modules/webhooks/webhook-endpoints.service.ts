import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AuditService } from 'src/platform/audit';
import { Principal } from 'src/platform/auth';
import { AppConfig, webhookTargets } from 'src/platform/config';
import { TxHost } from 'src/platform/database';
import { EventsService } from 'src/platform/events';
import { Page, PageQueryDto, paginate } from 'src/platform/http';
import { endpointChanges, endpointTarget } from './webhook-audit';
import { WebhookBreakerService } from './webhook-breaker.service';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';
import { generateSigningSecret, WebhookSecretsService } from './webhook-secrets.service';
import { execute } from './webhook-sql.util';
import { CreateWebhookEndpointDto, UpdateWebhookEndpointDto } from './webhooks.dto';
import { endpointNotFound, WebhookError } from './webhooks.errors';
import { WEBHOOK_TEST } from './webhooks.events';

/** The owner whose objects a principal sees, or undefined for an admin (every owner). */
export const ownerScope = (p: Principal): string | undefined => (p.isAdmin ? undefined : p.owner);

@Injectable()
export class WebhookEndpointsService {
  constructor(
    @InjectRepository(WebhookEndpointEntity) private readonly endpoints: Repository<WebhookEndpointEntity>,
    private readonly txHost: TxHost,
    private readonly config: AppConfig,
    private readonly secrets: WebhookSecretsService,
    private readonly breaker: WebhookBreakerService,
    private readonly events: EventsService,
    private readonly deliveries: WebhookDeliveryProcessor,
    private readonly audit: AuditService,
  ) {}

  /** Only http(s), https unless WEBHOOK_ALLOW_HTTP, no credentials in the URL. Addresses are checked at connect time. */
  private checkUrl(text: string): string {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw this.badUrl('url is not an absolute URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw this.badUrl('url must be an https:// URL');
    if (url.protocol === 'http:' && !webhookTargets(this.config).allowHttp) {
      throw this.badUrl(
        'url must be an https:// URL (http:// is allowed when WEBHOOK_ALLOW_HTTP is true, and by default in development)',
      );
    }
    if (url.username || url.password) throw this.badUrl('url must not contain credentials');
    if (url.hash) throw this.badUrl('url must not contain a fragment');
    return url.toString();
  }

  private badUrl(message: string): WebhookError {
    return new WebhookError('WEBHOOK_URL_NOT_ALLOWED', `The endpoint URL is not allowed: ${message}.`, {
      errors: [{ field: 'url', code: 'WEBHOOK_URL_NOT_ALLOWED', message }],
    });
  }

  async create(
    p: Principal,
    dto: CreateWebhookEndpointDto,
  ): Promise<{ entity: WebhookEndpointEntity; secret: string }> {
    const url = this.checkUrl(dto.url);
    const secret = generateSigningSecret();
    const entity = await this.txHost.withTransaction(async () => {
      const m = this.txHost.tx;
      const repo = m.getRepository(WebhookEndpointEntity);
      const saved = await repo.save(
        repo.create({
          owner: p.owner,
          allOwners: p.isAdmin,
          url,
          description: dto.description ?? '',
          eventTypes: dto.eventTypes,
          modelNames: dto.modelNames?.length ? dto.modelNames : null,
          secret: this.secrets.encrypt(secret),
        }),
      );
      await this.audit.record({
        action: 'webhook_endpoint.create',
        target: endpointTarget(saved),
        changes: endpointChanges(null, saved),
      });
      return saved;
    });
    return { entity, secret };
  }

  list(p: Principal, query: PageQueryDto): Promise<Page<WebhookEndpointEntity>> {
    const qb = this.endpoints.createQueryBuilder('e');
    const owner = ownerScope(p);
    if (owner !== undefined) qb.where('e.owner = :owner', { owner });
    return paginate(qb, 'e', query);
  }

  /** The endpoint if the principal may see it; 404 otherwise (also for another owner's endpoint). */
  async get(p: Principal, id: string): Promise<WebhookEndpointEntity> {
    const owner = ownerScope(p);
    const entity = await this.endpoints.findOne({ where: owner === undefined ? { id } : { id, owner } });
    if (!entity) throw endpointNotFound(id);
    return entity;
  }

  async update(p: Principal, id: string, dto: UpdateWebhookEndpointDto): Promise<WebhookEndpointEntity> {
    const url = dto.url !== undefined ? this.checkUrl(dto.url) : undefined;
    await this.txHost.withTransaction(async () => {
      const m = this.txHost.tx;
      const owner = ownerScope(p);
      const found = await m.findOne(WebhookEndpointEntity, {
        where: owner === undefined ? { id } : { id, owner },
        lock: { mode: 'pessimistic_write' },
      });
      if (!found) throw endpointNotFound(id);
      const changes: Partial<WebhookEndpointEntity> = {};
      if (url !== undefined) changes.url = url;
      if (dto.eventTypes !== undefined) changes.eventTypes = dto.eventTypes;
      if (dto.description !== undefined) changes.description = dto.description;
      if (dto.modelNames !== undefined) changes.modelNames = dto.modelNames?.length ? dto.modelNames : null;
      if (dto.enabled === true && !found.enabled) {
        Object.assign(changes, {
          enabled: true,
          disabledAt: null,
          disabledReason: null,
          breakerState: 'closed',
          consecutiveFailures: 0,
          breakerTrips: 0,
          breakerRetryAt: null,
          failingSince: null,
        });
      }
      if (Object.keys(changes).length > 0) await m.update(WebhookEndpointEntity, { id }, changes);
      if (dto.enabled === false && found.enabled) await this.breaker.disable(id, 'manual');
      const after = { ...found, ...changes, enabled: dto.enabled ?? found.enabled };
      await this.audit.record({
        action: 'webhook_endpoint.update',
        target: endpointTarget(found),
        changes: endpointChanges(found, after),
      });
    });
    return this.get(p, id);
  }

  async remove(p: Principal, id: string): Promise<void> {
    const owner = ownerScope(p);
    await this.txHost.withTransaction(async () => {
      const m = this.txHost.tx;
      // One statement, as before auditing: a separate lock first would widen the window in which a worker holding
      // one of its deliveries waits for the endpoint row while this delete waits for the delivery.
      const { rows } = await execute<WebhookEndpointEntity>(
        m,
        `DELETE FROM webhook_endpoints WHERE id = $1 AND ($2::varchar IS NULL OR owner = $2)
         RETURNING id, owner, url, "eventTypes", description, "modelNames", enabled`,
        [id, owner ?? null],
      );
      const found = rows[0];
      if (!found) throw endpointNotFound(id);
      await this.audit.record({
        action: 'webhook_endpoint.delete',
        target: endpointTarget(found),
        changes: endpointChanges(found, null),
      });
    });
  }

  /** A new secret; the old one keeps signing (next to the new) for WEBHOOK_SECRET_ROTATION_HOURS. */
  async rotateSecret(p: Principal, id: string): Promise<{ secret: string; previousSecretExpiresAt: Date | null }> {
    const secret = generateSigningSecret();
    const hours = this.config.WEBHOOK_SECRET_ROTATION_HOURS;
    const expiresAt = hours > 0 ? new Date(Date.now() + hours * 3600 * 1000) : null;
    await this.txHost.withTransaction(async () => {
      const m = this.txHost.tx;
      const owner = ownerScope(p);
      const found = await m.findOne(WebhookEndpointEntity, {
        where: owner === undefined ? { id } : { id, owner },
        lock: { mode: 'pessimistic_write' },
      });
      if (!found) throw endpointNotFound(id);
      await m.update(
        WebhookEndpointEntity,
        { id },
        {
          secret: this.secrets.encrypt(secret),
          previousSecret: expiresAt ? found.secret : null,
          previousSecretExpiresAt: expiresAt,
        },
      );
      await this.audit.record({
        action: 'webhook_endpoint.rotate_secret',
        target: endpointTarget(found),
        changes: { secret: { from: '[redacted]', to: '[redacted]' }, previousSecretExpiresAt: { to: expiresAt } },
      });
    });
    return { secret, previousSecretExpiresAt: expiresAt };
  }

  /** Publishes a `webhook.test` message and queues its one delivery, to this endpoint only. */
  async sendTest(p: Principal, id: string): Promise<{ messageId: string; deliveryId: string }> {
    const endpoint = await this.get(p, id);
    if (!endpoint.enabled) throw disabled(id);
    const result = await this.txHost.withTransaction(async () => {
      const m = this.txHost.tx;
      const messageId = await this.events.publish(
        WEBHOOK_TEST,
        { endpointId: id, message: 'A test event from the DeltaOne ML platform.' },
        { owner: endpoint.owner },
      );
      const [row] = await m.query<{ id: string }[]>(
        `INSERT INTO webhook_deliveries ("messageId", "endpointId", "nextAttemptAt") VALUES ($1, $2, now()) RETURNING id`,
        [messageId, id],
      );
      // Only this endpoint gets it: the dispatcher must not fan it out to the owner's other endpoints.
      await m.query(`UPDATE events SET "dispatchedAt" = now() WHERE id = $1`, [messageId]);
      await this.audit.record({
        action: 'webhook_endpoint.test',
        target: endpointTarget(endpoint),
        changes: { messageId: { to: messageId }, deliveryId: { to: row.id } },
      });
      return { messageId, deliveryId: row.id };
    });
    this.deliveries.kick();
    return result;
  }

  /** Puts every failed delivery of the endpoint created in [since, until) back in the queue with a fresh schedule. */
  async recover(p: Principal, id: string, since: Date, until?: Date): Promise<number> {
    const endpoint = await this.get(p, id);
    if (!endpoint.enabled) throw disabled(id);
    const to = until ?? new Date();
    const { count } = await this.txHost.withTransaction(async () => {
      const m = this.txHost.tx;
      const requeued = await execute(
        m,
        `UPDATE webhook_deliveries
         SET status = 'pending', attempts = 0, "nextAttemptAt" = now(), replays = replays + 1, "updatedAt" = now()
         WHERE "endpointId" = $1 AND status = 'failed' AND "createdAt" >= $2 AND "createdAt" < $3`,
        [id, since, to],
      );
      if (requeued.count > 0) {
        await this.audit.record({
          action: 'webhook_endpoint.recover',
          target: endpointTarget(endpoint),
          changes: { requeued: { to: requeued.count }, window: { to: [since.toISOString(), to.toISOString()] } },
        });
      }
      return requeued;
    });
    if (count > 0) this.deliveries.kick();
    return count;
  }
}

export const disabled = (id: string): WebhookError =>
  new WebhookError(
    'WEBHOOK_ENDPOINT_DISABLED',
    `Webhook endpoint ${id} is disabled; enable it first (PATCH with enabled: true).`,
  );
