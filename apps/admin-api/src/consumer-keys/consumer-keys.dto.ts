import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { HTTP_METHODS, type HttpMethod } from '@app/ovh-protocol';
import {
  CONSUMER_KEY_ORIGINS,
  CONSUMER_KEY_STATES,
  type ConsumerKeyOrigin,
  type ConsumerKeyState,
} from '@app/consumer-keys';

export class AccessRuleDto {
  @ApiProperty({ enum: HTTP_METHODS }) @IsIn(HTTP_METHODS) method!: HttpMethod;
  @ApiProperty({ example: '/domain/zone/example.com/*' }) @IsString() @MaxLength(512) path!: string;
}

export class PresetSelectionDto {
  @ApiProperty({ example: 'dns-zone-read-only' }) @IsString() @MaxLength(100) id!: string;
  @ApiPropertyOptional({
    example: { zone: 'example.com' },
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  @IsOptional()
  @IsObject()
  params?: Record<string, string>;
}

export class RecursiveSelectionDto {
  @ApiProperty({ enum: HTTP_METHODS, isArray: true })
  @IsArray()
  @ArrayMaxSize(4)
  @IsIn(HTTP_METHODS, { each: true })
  methods!: HttpMethod[];
  @ApiProperty({ example: '/sms', description: 'Grants the path and everything below it (X and X/*)' })
  @IsString()
  @MaxLength(500)
  path!: string;
}

// The rules of a key, from explicit rules, presets and recursive (X and X/*) selections.
export class RuleSelectionDto {
  @ApiPropertyOptional({ type: [AccessRuleDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(256)
  @ValidateNested({ each: true })
  @Type(() => AccessRuleDto)
  accessRules?: AccessRuleDto[];
  @ApiPropertyOptional({ type: [PresetSelectionDto], description: 'See GET /api/v1/rule-presets' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => PresetSelectionDto)
  presets?: PresetSelectionDto[];
  @ApiPropertyOptional({ type: [RecursiveSelectionDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RecursiveSelectionDto)
  recursive?: RecursiveSelectionDto[];
}

// A new key's rules plus its validity policy, IP allow list and label.
export class KeySettingsDto extends RuleSelectionDto {
  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    description:
      'Broker policy: expire the key this long after validation; null = unlimited; absent = unlimited on a request, the current policy on a replacement',
  })
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(315360000)
  validitySeconds?: number | null;
  @ApiPropertyOptional({ type: [String], example: ['203.0.113.10/32'], nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  allowedIPs?: string[] | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) label?: string | null;
}

export class RequestConsumerKeyRequestDto extends KeySettingsDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() applicationId!: string;
}

export class RenewConsumerKeyRequestDto {
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Defaults to the predecessor policy' })
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(315360000)
  validitySeconds?: number | null;
}

export class ConsumerKeyDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) accountId!: string;
  @ApiProperty({ format: 'uuid' }) applicationId!: string;
  @ApiProperty({ nullable: true, type: String }) label!: string | null;
  @ApiProperty({ enum: CONSUMER_KEY_STATES }) state!: ConsumerKeyState;
  @ApiProperty({ enum: CONSUMER_KEY_ORIGINS, description: 'requested by the broker, or imported' })
  origin!: ConsumerKeyOrigin;
  @ApiProperty({ type: [AccessRuleDto] }) accessRules!: AccessRuleDto[];
  @ApiProperty({ type: [String], nullable: true }) allowedIPs!: string[] | null;
  @ApiProperty({ nullable: true, type: Number }) validitySeconds!: number | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Send this link to the customer (pending keys only)',
  })
  validationUrl!: string | null;
  @ApiProperty({ nullable: true, type: Number }) credentialId!: number | null;
  @ApiProperty({ nullable: true, type: String }) nichandle!: string | null;
  @ApiProperty({ type: [AccessRuleDto], nullable: true }) upstreamRules!: AccessRuleDto[] | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) upstreamExpiresAt!: Date | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) policyExpiresAt!: Date | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expiresAt!: Date | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastUseAt!: Date | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastSyncedAt!: Date | null;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) requestedAt!: Date;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) validatedAt!: Date | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) refusedAt!: Date | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) abandonedAt!: Date | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expiredAt!: Date | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) revokedAt!: Date | null;
  @ApiProperty({ nullable: true, enum: ['revoked', 'expired'] }) revocationTarget!:
    'revoked' | 'expired' | null;
  @ApiProperty() revocationAttempts!: number;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) renewalOf!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) renewedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt!: Date;
}
