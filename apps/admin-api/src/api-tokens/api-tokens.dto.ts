import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { OPERATOR_ROLES, type OperatorRole } from '@app/operators';

export class CreateApiTokenRequestDto {
  @ApiProperty({ example: 'terraform CI' }) @IsString() @MinLength(1) @MaxLength(100) name!: string;
  @ApiPropertyOptional({
    enum: OPERATOR_ROLES,
    description: 'Defaults to your role; only an admin may pick another',
  })
  @IsOptional()
  @IsIn(OPERATOR_ROLES)
  role?: OperatorRole;
  @ApiProperty({
    minimum: 1,
    maximum: 3650,
    description: 'Required; capped by API_TOKEN_MAX_DAYS (default 365)',
  })
  @IsInt()
  @Min(1)
  @Max(3650)
  expiresInDays!: number;
  @ApiPropertyOptional({ type: [String], example: ['203.0.113.0/24', '2001:db8::/32'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  ipAllowList?: string[];
}

export class ApiTokenDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) operatorId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: OPERATOR_ROLES }) role!: OperatorRole;
  @ApiProperty({ description: 'First characters of the token, to recognise it' }) prefix!: string;
  @ApiProperty({ type: [String] }) ipAllowList!: string[];
  @ApiProperty({ type: String, format: 'date-time' }) expiresAt!: Date;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastUsedAt!: Date | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) revokedAt!: Date | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: Date;
}

export class CreatedApiTokenDto extends ApiTokenDto {
  @ApiProperty({ description: 'The token (obt_…), shown only now' }) token!: string;
}
