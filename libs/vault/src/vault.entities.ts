import { Column, Entity, PrimaryColumn } from 'typeorm';

// A data key (DEK), wrapped by the master key (KEK) named in kek_id. Retiring a
// data key erases its wrapped key: values still sealed under it are lost on purpose.
@Entity('vault_data_keys')
export class VaultDataKeyEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') kekId!: string;
  @Column('text', { nullable: true }) wrappedKey!: string | null;
  @Column('text') purpose!: string;
  @Column('boolean') active!: boolean;
  @Column('bigint') reservedSeals!: string;
  @Column('timestamptz') createdAt!: Date;
  @Column('timestamptz', { nullable: true }) deactivatedAt!: Date | null;
  @Column('timestamptz', { nullable: true }) rewrappedAt!: Date | null;
  @Column('timestamptz', { nullable: true }) retiredAt!: Date | null;
}

// Columns that hold sealed values, registered by the libs that own them, so a
// rotation started from any process (CLI included) can find every value.
@Entity('vault_sealed_columns')
export class VaultSealedColumnEntity {
  @PrimaryColumn('text') tableName!: string;
  @PrimaryColumn('text') columnName!: string;
  @Column('text') idColumn!: string;
  @Column('timestamptz') registeredAt!: Date;
}

@Entity('vault_rotation_jobs')
export class VaultRotationJobEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') status!: 'running' | 'done' | 'failed';
  @Column('boolean') reencrypt!: boolean;
  @Column('text') targetKekId!: string;
  @Column('uuid', { nullable: true }) targetDekId!: string | null;
  @Column('jsonb') progress!: Record<string, unknown>;
  @Column('int') rewrapped!: number;
  @Column('int') resealed!: number;
  @Column('int') batches!: number;
  @Column('text', { nullable: true }) error!: string | null;
  @Column('timestamptz') startedAt!: Date;
  @Column('timestamptz') updatedAt!: Date;
  @Column('timestamptz', { nullable: true }) finishedAt!: Date | null;
}

export const VAULT_ENTITIES = [VaultDataKeyEntity, VaultSealedColumnEntity, VaultRotationJobEntity];
