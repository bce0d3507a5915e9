import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { EventEntity } from 'src/platform/events';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';

export const DELIVERY_STATUSES = ['pending', 'in_flight', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One message for one endpoint: the outbox row that workers claim with FOR UPDATE SKIP LOCKED and a lease.
 * `failed` deliveries are the dead letters (replay or recover them).
 */
@Entity('webhook_deliveries')
@Index('uq_webhook_deliveries_message_endpoint', ['messageId', 'endpointId'], { unique: true })
@Index('idx_webhook_deliveries_due', ['nextAttemptAt'], { where: `"status" = 'pending'` })
@Index('idx_webhook_deliveries_leased', ['leaseExpiresAt'], { where: `"status" = 'in_flight'` })
@Index('idx_webhook_deliveries_endpoint', ['endpointId', 'createdAt'])
@Index('idx_webhook_deliveries_finished', ['updatedAt'], { where: `"status" IN ('delivered', 'failed')` })
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The event id, sent as `webhook-id`. */
  @Column({ type: 'varchar', length: 40 })
  messageId: string;

  @ManyToOne(() => EventEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'messageId' })
  message?: EventEntity;

  @Column({ type: 'uuid' })
  endpointId: string;

  @ManyToOne(() => WebhookEndpointEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpointId' })
  endpoint?: WebhookEndpointEntity;

  @Column({ type: 'varchar', length: 12, default: 'pending' })
  status: DeliveryStatus;

  /** Attempts spent in the current run of the schedule (reset by replay and recover). */
  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz' })
  nextAttemptAt: Date;

  /** Identifies the worker holding the lease; a worker whose lease was taken over cannot complete it. */
  @Column({ type: 'uuid', nullable: true })
  leaseToken: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  leaseExpiresAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastAttemptAt: Date | null;

  @Column({ type: 'int', nullable: true })
  lastStatusCode: number | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  /** How many times it was replayed or recovered by hand. */
  @Column({ type: 'int', default: 0 })
  replays: number;

  /** Millisecond precision, like the pagination cursors that carry it. */
  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
