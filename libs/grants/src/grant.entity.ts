import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AccessRule } from '@app/ovh-protocol';

export const GRANT_STATES = ['active', 'revoked', 'expired', 'ended'] as const;
export type GrantState = (typeof GRANT_STATES)[number];
export const GRANT_HOLDER_TYPES = ['person', 'tool'] as const;
export type GrantHolderType = (typeof GRANT_HOLDER_TYPES)[number];

@Entity('grants')
export class GrantEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid') accountId!: string;
  @Column('uuid') consumerKeyId!: string;
  @Column('text') holderType!: GrantHolderType;
  @Column('text') holderName!: string;
  @Column('text', { nullable: true }) holderEmail!: string | null;
  @Column('text', { nullable: true }) description!: string | null;
  @Column('jsonb') accessRules!: AccessRule[];
  @Column('jsonb', { nullable: true }) allowedIps!: string[] | null;
  @Column('integer') rateLimitPerMinute!: number;
  @Column('boolean') readOnly!: boolean;
  // The minted application key is public (like a real AK); the rest is hashed or sealed.
  @Column('text') appKey!: string;
  @Column('text') appSecretSealed!: string;
  @Column('text') consumerKeyHash!: string;
  @Column('text') tokenHash!: string;
  @Column('text') tokenHint!: string;
  @Column('text') state!: GrantState;
  @Column('timestamptz') expiresAt!: Date;
  @Column('timestamptz', { nullable: true }) revokedAt!: Date | null;
  @Column('uuid', { nullable: true }) revokedBy!: string | null;
  @Column('text', { nullable: true }) revokeReason!: string | null;
  @Column('timestamptz', { nullable: true }) endedAt!: Date | null;
  @Column('text', { nullable: true }) endReason!: string | null;
  @Column('timestamptz', { nullable: true }) expiredAt!: Date | null;
  @Column('uuid', { nullable: true }) createdBy!: string | null;
  @Column('timestamptz') createdAt!: Date;
  @Column('timestamptz') updatedAt!: Date;
}
