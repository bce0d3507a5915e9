import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type BreakerState = 'closed' | 'open' | 'half_open';
export type DisabledReason = 'manual' | 'gone' | 'failing';

/** A receiver of webhooks, owned by the owner of the API key that made it. */
@Entity('webhook_endpoints')
export class WebhookEndpointEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('idx_webhook_endpoints_owner')
  @Column({ type: 'varchar', length: 100 })
  owner: string;

  /** Made by an admin key: receives the events of every owner (others receive only their own owner's). */
  @Column({ type: 'boolean', default: false })
  allOwners: boolean;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  @Column({ type: 'varchar', length: 500, default: '' })
  description: string;

  /** Subscribed types: exact types, prefixes such as `model.*`, or `*`. */
  @Column({ type: 'text', array: true })
  eventTypes: string[];

  /** When set, events about a model are delivered only for these models. */
  @Column({ type: 'text', array: true, nullable: true })
  modelNames: string[] | null;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  disabledReason: DisabledReason | null;

  /** The signing secret, encrypted (AES-256-GCM, see WebhookSecretsService). */
  @Column({ type: 'text' })
  secret: string;

  /** The secret before the last rotation, still used to sign until previousSecretExpiresAt. */
  @Column({ type: 'text', nullable: true })
  previousSecret: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  previousSecretExpiresAt: Date | null;

  @Column({ type: 'varchar', length: 10, default: 'closed' })
  breakerState: BreakerState;

  @Column({ type: 'int', default: 0 })
  consecutiveFailures: number;

  /** How many times in a row the breaker opened (the half-open delay doubles with each). */
  @Column({ type: 'int', default: 0 })
  breakerTrips: number;

  /** While open: when the next half-open probe may go. While half-open: when the probe's lease ends. */
  @Column({ type: 'timestamptz', nullable: true })
  breakerRetryAt: Date | null;

  /** The first failure since the last success; the endpoint is disabled when it is older than the limit. */
  @Column({ type: 'timestamptz', nullable: true })
  failingSince: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastSuccessAt: Date | null;

  /** Millisecond precision, like the pagination cursors that carry it. */
  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
