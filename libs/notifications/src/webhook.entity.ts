import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('webhooks')
export class WebhookEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') url!: string;
  @Column('text', { nullable: true }) description!: string | null;
  @Column('text', { array: true }) events!: string[];
  // Vault-sealed: the broker needs the plaintext to sign each delivery.
  @Column('text') secretSealed!: string;
  @Column('boolean') enabled!: boolean;
  @Column('uuid', { nullable: true }) createdBy!: string | null;
  @Column('timestamptz') createdAt!: Date;
  @Column('timestamptz') updatedAt!: Date;
}

export type WebhookDeliveryState = 'pending' | 'delivered' | 'failed';

@Entity('webhook_deliveries')
export class WebhookDeliveryEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid') webhookId!: string;
  @Column('uuid') eventId!: string;
  @Column('text') event!: string;
  @Column('jsonb') payload!: Record<string, unknown>;
  @Column('text') state!: WebhookDeliveryState;
  @Column('integer') attempts!: number;
  @Column('timestamptz') nextAttemptAt!: Date;
  @Column('timestamptz', { nullable: true }) lastAttemptAt!: Date | null;
  @Column('integer', { nullable: true }) lastStatus!: number | null;
  @Column('text', { nullable: true }) lastError!: string | null;
  @Column('integer', { nullable: true }) lastDurationMs!: number | null;
  @Column('timestamptz', { nullable: true }) deliveredAt!: Date | null;
  @Column('timestamptz') createdAt!: Date;
}
