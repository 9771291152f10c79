import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AccessRule } from '@app/ovh-protocol';
import type { ConsumerKeyOrigin, ConsumerKeyState } from './consumer-key-state';

@Entity('consumer_keys')
export class ConsumerKeyEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid') accountId!: string;
  @Column('uuid') applicationId!: string;
  @Column('text') state!: ConsumerKeyState;
  @Column('jsonb') accessRules!: AccessRule[];
  @Column('jsonb', { nullable: true }) allowedIps!: string[] | null;
  // The broker's own policy; null means unlimited.
  @Column('integer', { nullable: true }) validitySeconds!: number | null;
  @Column('text', { nullable: true }) label!: string | null;
  @Column('text', { nullable: true }) idempotencyKey!: string | null;
  @Column('text') requestHash!: string;
  // Vault-sealed CK; erased once the key can no longer act upstream.
  @Column('text', { nullable: true }) consumerKeySealed!: string | null;
  @Column('text', { nullable: true }) validationUrl!: string | null;
  @Column('text', { nullable: true }) callbackStateHash!: string | null;
  @Column('bigint', { nullable: true }) credentialId!: string | null;
  @Column('text', { nullable: true }) nichandle!: string | null;
  @Column('jsonb', { nullable: true }) upstreamRules!: AccessRule[] | null;
  @Column('jsonb', { nullable: true }) upstreamAllowedIps!: string[] | null;
  @Column('timestamptz', { nullable: true }) upstreamCreatedAt!: Date | null;
  @Column('timestamptz', { nullable: true }) upstreamExpiresAt!: Date | null;
  @Column('timestamptz', { nullable: true }) policyExpiresAt!: Date | null;
  @Column('timestamptz', { nullable: true }) lastUseAt!: Date | null;
  @Column('timestamptz', { nullable: true }) lastSyncedAt!: Date | null;
  @Column('text', { nullable: true }) lastError!: string | null;
  @Column('timestamptz') requestedAt!: Date;
  @Column('timestamptz', { nullable: true }) validatedAt!: Date | null;
  @Column('timestamptz', { nullable: true }) refusedAt!: Date | null;
  @Column('timestamptz', { nullable: true }) abandonedAt!: Date | null;
  @Column('timestamptz', { nullable: true }) expiredAt!: Date | null;
  @Column('timestamptz', { nullable: true }) revokedAt!: Date | null;
  @Column('text', { nullable: true }) revocationTarget!: 'revoked' | 'expired' | null;
  @Column('integer') revocationAttempts!: number;
  @Column('timestamptz', { nullable: true }) revocationNextAt!: Date | null;
  @Column('uuid', { nullable: true }) renewalOf!: string | null;
  @Column('uuid', { nullable: true }) renewedBy!: string | null;
  @Column('integer', { array: true }) warningsSent!: number[];
  // 'imported': an existing, already validated key brought under management (libs/key-import).
  @Column('text') origin!: ConsumerKeyOrigin;
  @Column('uuid', { nullable: true }) createdBy!: string | null;
  @Column('timestamptz') createdAt!: Date;
  @Column('timestamptz') updatedAt!: Date;
}
