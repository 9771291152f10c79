import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDateString,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { GRANT_HOLDER_TYPES, GRANT_STATES, type GrantHolderType, type GrantState } from '@app/grants';
import { HTTP_METHODS, type HttpMethod } from '@app/ovh-protocol';

export class GrantAccessRuleDto {
  @ApiProperty({ enum: HTTP_METHODS }) @IsIn(HTTP_METHODS) method!: HttpMethod;
  @ApiProperty({ example: '/domain/zone/example.com/*' }) @IsString() @MaxLength(512) path!: string;
}

export class GrantHolderDto {
  @ApiProperty({ enum: GRANT_HOLDER_TYPES }) @IsIn(GRANT_HOLDER_TYPES) type!: GrantHolderType;
  @ApiProperty({ example: 'Alice (agency)' }) @IsString() @MaxLength(200) name!: string;
  @ApiPropertyOptional({ example: 'alice@agency.example' })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  email?: string;
}

export class CreateGrantRequestDto {
  @ApiProperty({ format: 'uuid', description: 'A validated consumer key of this account' })
  @IsUUID()
  consumerKeyId!: string;

  @ApiProperty({ type: GrantHolderDto })
  @ValidateNested()
  @Type(() => GrantHolderDto)
  holder!: GrantHolderDto;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) description?: string;

  @ApiProperty({ type: [GrantAccessRuleDto], description: "Must be contained in the consumer key's rules" })
  @IsArray()
  @ArrayMaxSize(256)
  @ValidateNested({ each: true })
  @Type(() => GrantAccessRuleDto)
  accessRules!: GrantAccessRuleDto[];

  @ApiPropertyOptional({ description: 'Give exactly one of expiresAt and ttlSeconds', format: 'date-time' })
  @IsOptional()
  @IsDateString()
  expiresAt?: string;

  @ApiPropertyOptional({ description: 'Seconds from now; at most the configured maximum', example: 86400 })
  @IsOptional()
  @IsInt()
  @Min(1)
  ttlSeconds?: number;

  @ApiPropertyOptional({
    type: [String],
    example: ['203.0.113.0/24'],
    description: 'CIDR blocks; none = any IP',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  allowedIPs?: string[];

  @ApiPropertyOptional({ default: 60, description: 'Requests per minute through the relay' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000000)
  rateLimitPerMinute?: number;

  @ApiPropertyOptional({ default: false, description: 'GET only' })
  @IsOptional()
  @IsBoolean()
  readOnly?: boolean;
}

export class RevokeGrantRequestDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

export class GrantHolderViewDto {
  @ApiProperty({ enum: GRANT_HOLDER_TYPES }) type!: GrantHolderType;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) email!: string | null;
}

export class GrantDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) accountId!: string;
  @ApiProperty({ format: 'uuid' }) consumerKeyId!: string;
  @ApiProperty({ type: GrantHolderViewDto }) holder!: GrantHolderViewDto;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ type: [GrantAccessRuleDto] }) accessRules!: GrantAccessRuleDto[];
  @ApiProperty({ nullable: true, type: [String] }) allowedIPs!: string[] | null;
  @ApiProperty() rateLimitPerMinute!: number;
  @ApiProperty() readOnly!: boolean;
  @ApiProperty({ description: "The grant's own application key (public)" }) applicationKey!: string;
  @ApiProperty({ example: 'obg_AbCd…' }) tokenHint!: string;
  @ApiProperty({ enum: GRANT_STATES }) status!: GrantState;
  @ApiProperty() expiresAt!: Date;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ nullable: true, type: String }) createdBy!: string | null;
  @ApiProperty({ nullable: true, type: Date }) revokedAt!: Date | null;
  @ApiProperty({ nullable: true, type: String }) revokedBy!: string | null;
  @ApiProperty({ nullable: true, type: String }) revokeReason!: string | null;
  @ApiProperty({ nullable: true, type: Date }) endedAt!: Date | null;
  @ApiProperty({ nullable: true, type: String }) endReason!: string | null;
}

export class GrantCredentialsDto {
  @ApiProperty({ example: 'AbCdEfGh12345678', description: 'Application key (16)' }) applicationKey!: string;
  @ApiProperty({ description: 'Application secret (32), shown once' }) applicationSecret!: string;
  @ApiProperty({ description: 'Consumer key (32), shown once' }) consumerKey!: string;
  @ApiProperty({ description: 'Bearer token (obg_…), shown once' }) bearerToken!: string;
  @ApiProperty({
    description: 'What to configure as the SDK endpoint',
    example: 'https://broker.example/1.0',
  })
  endpoint!: string;
}

export class CreatedGrantDto {
  @ApiProperty({ type: GrantDto }) grant!: GrantDto;
  @ApiProperty({ type: GrantCredentialsDto }) credentials!: GrantCredentialsDto;
}

export class ListGrantsQueryDto {
  @ApiPropertyOptional({ enum: GRANT_STATES }) @IsOptional() @IsIn(GRANT_STATES) status?: GrantState;
}

export class GrantSettingsDto {
  @ApiProperty({ example: 2592000 }) maxTtlSeconds!: number;
  @ApiProperty({ enum: ['setting', 'environment'] }) source!: 'setting' | 'environment';
}

export class UpdateGrantSettingsRequestDto {
  @ApiProperty({ example: 604800, minimum: 60, maximum: 31536000 })
  @IsInt()
  @Min(60)
  @Max(31536000)
  maxTtlSeconds!: number;
}
