import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';

export class RotateVaultRequestDto {
  @ApiPropertyOptional({
    description:
      'Also re-encrypt every sealed value under a fresh data key (slower; needed to retire data keys)',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  reencrypt?: boolean;

  @ApiPropertyOptional({
    description: 'Rows per batch (one transaction each)',
    minimum: 1,
    maximum: 5000,
    default: 200,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(5000)
  batchSize?: number;
}

export class MasterKeyStatusDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'Present in the configured keyring' }) configured!: boolean;
  @ApiProperty({ description: 'Wraps new data keys' }) active!: boolean;
  @ApiProperty({ description: 'Live data keys wrapped under it' }) dataKeys!: number;
  @ApiProperty({ description: 'Sealed values under those data keys' }) sealedValues!: number;
  @ApiProperty({ description: 'Nothing uses it: it can be removed from MASTER_KEYS' }) canRetire!: boolean;
}

export class DataKeyStatusDto {
  @ApiProperty() id!: string;
  @ApiProperty() masterKeyId!: string;
  @ApiProperty() active!: boolean;
  @ApiProperty() retired!: boolean;
  @ApiProperty() sealedValues!: number;
  @ApiProperty({ description: 'Encryptions reserved under this key so far (all instances)' })
  reservedSeals!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) retiredAt!: string | null;
}

export class SealedColumnStatusDto {
  @ApiProperty() table!: string;
  @ApiProperty() column!: string;
  @ApiProperty({ description: 'The column exists in the database' }) present!: boolean;
  @ApiProperty() sealedValues!: number;
}

export class RotationJobDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['running', 'done', 'failed'] }) status!: 'running' | 'done' | 'failed';
  @ApiProperty() reencrypt!: boolean;
  @ApiProperty() targetMasterKeyId!: string;
  @ApiProperty({ nullable: true, type: String }) targetDataKeyId!: string | null;
  @ApiProperty() rewrapped!: number;
  @ApiProperty() resealed!: number;
  @ApiProperty() batches!: number;
  @ApiProperty({ description: 'Per column: keyset cursor, done, resealed, unreadable' })
  columns!: Record<string, unknown>;
  @ApiProperty({ type: [String] }) retiredDataKeys!: string[];
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty() startedAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
}

export class VaultStatusDto {
  @ApiProperty() sealed!: boolean;
  @ApiProperty({ nullable: true, type: String }) sealedReason!: string | null;
  @ApiProperty({ nullable: true, type: String }) activeMasterKeyId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Where the keys came from (never the keys)' })
  masterKeySource!: string | null;
  @ApiProperty({ type: [MasterKeyStatusDto] }) masterKeys!: MasterKeyStatusDto[];
  @ApiProperty({ type: [DataKeyStatusDto] }) dataKeys!: DataKeyStatusDto[];
  @ApiProperty({ type: [SealedColumnStatusDto] }) columns!: SealedColumnStatusDto[];
  @ApiProperty({ type: RotationJobDto, nullable: true }) lastRotation!: RotationJobDto | null;
}
