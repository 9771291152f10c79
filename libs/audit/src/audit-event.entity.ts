import { Column, Entity, PrimaryColumn } from 'typeorm';

// Append-only: rows are written by AuditService.record and never updated
// (a trigger refuses UPDATE/DELETE outside the retention purge).
@Entity('audit_events')
export class AuditEventEntity {
  @PrimaryColumn({ type: 'bigint' }) seq!: string;
  @Column({ type: 'uuid' }) id!: string;
  @Column({ type: 'timestamptz' }) occurredAt!: Date;
  @Column({ type: 'text' }) kind!: 'event' | 'checkpoint';
  @Column({ type: 'text' }) actorType!: string;
  @Column({ type: 'text', nullable: true }) actorId!: string | null;
  @Column({ type: 'text', nullable: true }) actorLabel!: string | null;
  @Column({ type: 'text' }) action!: string;
  @Column({ type: 'text', nullable: true }) objectType!: string | null;
  @Column({ type: 'text', nullable: true }) objectId!: string | null;
  @Column({ type: 'text', nullable: true }) accountId!: string | null;
  @Column({ type: 'text' }) result!: string;
  @Column({ type: 'text', nullable: true }) ip!: string | null;
  @Column({ type: 'text', nullable: true }) userAgent!: string | null;
  @Column({ type: 'text', nullable: true }) requestId!: string | null;
  @Column({ type: 'jsonb' }) metadata!: Record<string, unknown>;
  @Column({ type: 'text' }) prevHash!: string;
  @Column({ type: 'text' }) hash!: string;
}
