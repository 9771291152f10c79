import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { KeySettingsDto } from '../consumer-keys/consumer-keys.dto';

export class HygieneQueryDto {
  @ApiPropertyOptional({ default: 30, description: 'A key unused for this many days is flagged' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  unusedDays?: number;
  @ApiPropertyOptional({ default: 14, description: 'A key expiring within this many days is flagged' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(365)
  expiringSoonDays?: number;
  @ApiPropertyOptional({ default: 10, description: 'An application with this many live keys is flagged' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(10000)
  manyKeysThreshold?: number;
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class SuggestedFixDto {
  @ApiProperty({ enum: ['POST', 'GET'] }) method!: 'POST' | 'GET';
  @ApiProperty() path!: string;
  @ApiProperty() description!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) body?: Record<string, unknown>;
}

export class HygieneFindingDto {
  @ApiProperty({
    enum: [
      'grants_everything',
      'no_expiry',
      'never_used',
      'unused',
      'no_ip_restriction',
      'expiring_soon',
      'application_many_keys',
    ],
  })
  kind!: string;
  @ApiProperty({ enum: ['high', 'medium', 'low'] }) severity!: string;
  @ApiProperty({ nullable: true, type: String }) keyId!: string | null;
  @ApiProperty({ nullable: true, type: String }) accountId!: string | null;
  @ApiProperty({ nullable: true, type: String }) accountName!: string | null;
  @ApiProperty({ nullable: true, type: String }) keyLabel!: string | null;
  @ApiProperty({ nullable: true, type: String }) origin!: string | null;
  @ApiProperty() applicationId!: string;
  @ApiProperty() message!: string;
  @ApiProperty({
    enum: ['replace_with_narrower_key', 'set_expiry', 'restrict_ips', 'revoke', 'renew', 'consolidate'],
  })
  suggestedAction!: string;
  @ApiProperty({ type: SuggestedFixDto, nullable: true }) fix!: SuggestedFixDto | null;
}

export class HygieneReportDto {
  @ApiProperty({ type: String, format: 'date-time' }) generatedAt!: Date;
  @ApiProperty({ enum: ['all', 'account'] }) scope!: 'all' | 'account';
  @ApiProperty({ nullable: true, type: String }) accountId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) options!: Record<string, number>;
  @ApiProperty() accounts!: number;
  @ApiProperty() keys!: number;
  @ApiProperty({ type: 'object', additionalProperties: true }) summary!: {
    total: number;
    bySeverity: Record<string, number>;
    byKind: Record<string, number>;
  };
  @ApiProperty({ type: [HygieneFindingDto] }) findings!: HygieneFindingDto[];
}

// Omitted rules, validity or IPs default to the current key's; the rules must fit inside them.
export class ReplaceConsumerKeyRequestDto extends KeySettingsDto {}
