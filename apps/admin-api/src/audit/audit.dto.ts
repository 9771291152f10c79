import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class AuditQueryDto {
  @ApiPropertyOptional({ enum: ['operator', 'api_token', 'grant', 'system', 'anonymous'] })
  @IsOptional()
  @IsIn(['operator', 'api_token', 'grant', 'system', 'anonymous'])
  actorType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) actorId?: string;
  @ApiPropertyOptional({ description: "Exact action, or a prefix such as 'auth.*'" })
  @IsOptional()
  @Matches(/^[a-z0-9_.]+(\.\*)?$/)
  @MaxLength(100)
  action?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) accountId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) objectType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(256) objectId?: string;
  @ApiPropertyOptional({ enum: ['success', 'failure', 'denied'] })
  @IsOptional()
  @IsIn(['success', 'failure', 'denied'])
  result?: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Inclusive' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  from?: Date;
  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Exclusive' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  to?: Date;
}

export class AuditListQueryDto extends AuditQueryDto {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @Matches(/^\d{1,19}$/)
  cursor?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class AuditExportQueryDto extends AuditQueryDto {
  @ApiProperty({ enum: ['ndjson', 'csv'] }) @IsIn(['ndjson', 'csv']) format!: 'ndjson' | 'csv';
}

export class AuditEventDto {
  @ApiProperty({ description: 'Position in the hash chain' }) seq!: string;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, format: 'date-time' }) occurredAt!: Date;
  @ApiProperty({ enum: ['event', 'checkpoint'] }) kind!: string;
  @ApiProperty() actorType!: string;
  @ApiProperty({ nullable: true, type: String }) actorId!: string | null;
  @ApiProperty({ nullable: true, type: String }) actorLabel!: string | null;
  @ApiProperty() action!: string;
  @ApiProperty({ nullable: true, type: String }) objectType!: string | null;
  @ApiProperty({ nullable: true, type: String }) objectId!: string | null;
  @ApiProperty({ nullable: true, type: String }) accountId!: string | null;
  @ApiProperty({ enum: ['success', 'failure', 'denied'] }) result!: string;
  @ApiProperty({ nullable: true, type: String }) ip!: string | null;
  @ApiProperty({ nullable: true, type: String }) userAgent!: string | null;
  @ApiProperty({ nullable: true, type: String }) requestId!: string | null;
  @ApiProperty({ type: Object }) metadata!: Record<string, unknown>;
  @ApiProperty() prevHash!: string;
  @ApiProperty() hash!: string;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEventDto] }) items!: AuditEventDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next (older) page' })
  nextCursor!: string | null;
}
