import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The durable record of a domain event, written in the same transaction as the change it describes
 * (a transactional outbox). Webhook delivery and other reactions read from here; nothing is lost when the
 * process dies between the commit and the reaction.
 */
@Entity('events')
@Index('idx_events_undispatched', ['createdAt'], { where: '"dispatchedAt" IS NULL' })
@Index('idx_events_dispatched', ['createdAt'], { where: '"dispatchedAt" IS NOT NULL' })
export class EventEntity {
  /** `msg_` + a ULID: sortable by time, unique, and stable across every retry of its deliveries. */
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id: string;

  @Index('idx_events_type')
  @Column({ type: 'varchar', length: 100 })
  type: string;

  @Column({ type: 'jsonb' })
  data: object;

  /** The model the event is about, when there is one (webhook endpoints can filter on it). */
  @Column({ type: 'varchar', length: 100, nullable: true })
  modelName: string | null;

  /** The owner of the object the event is about, when there is one. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  owner: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  /** Set once the event has been fanned out to its consumers (webhook deliveries). */
  @Column({ type: 'timestamptz', nullable: true })
  dispatchedAt: Date | null;
}
