import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { OPERATOR_ROLES, type OperatorRole } from '@app/operators';

export class OperatorDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: OPERATOR_ROLES }) role!: OperatorRole;
  @ApiProperty({ enum: ['active', 'disabled'] }) status!: 'active' | 'disabled';
  @ApiProperty() totpEnabled!: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastLoginAt!: Date | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) disabledAt!: Date | null;
}

export class CreatedOperatorDto extends OperatorDto {
  @ApiPropertyOptional({ description: 'Generated initial password when none was given; shown only now' })
  initialPassword?: string;
}

export class CreateOperatorRequestDto {
  @ApiProperty() @IsEmail() @MaxLength(320) email!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(120) displayName!: string;
  @ApiProperty({ enum: OPERATOR_ROLES }) @IsIn(OPERATOR_ROLES) role!: OperatorRole;
  @ApiPropertyOptional({ format: 'password', minLength: 12, description: 'Omit to have one generated' })
  @IsOptional()
  @IsString()
  @MinLength(12)
  @MaxLength(1024)
  password?: string;
}

export class UpdateOperatorRequestDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(120) displayName?: string;
  @ApiPropertyOptional({ enum: OPERATOR_ROLES }) @IsOptional() @IsIn(OPERATOR_ROLES) role?: OperatorRole;
  @ApiPropertyOptional({ enum: ['active', 'disabled'] })
  @IsOptional()
  @IsIn(['active', 'disabled'])
  status?: 'active' | 'disabled';
}

export class MeDto extends OperatorDto {
  @ApiProperty({ enum: ['operator', 'api_token'] }) authenticatedAs!: 'operator' | 'api_token';
  @ApiPropertyOptional({ description: 'The API token in use, if any' }) tokenId?: string;
  @ApiProperty({ description: 'true when the session may only enrol a second factor' }) restricted!: boolean;
}

export class ChangePasswordRequestDto {
  @ApiProperty({ format: 'password' }) @IsString() @MaxLength(1024) currentPassword!: string;
  @ApiProperty({ format: 'password', minLength: 12 })
  @IsString()
  @MinLength(12)
  @MaxLength(1024)
  newPassword!: string;
}

export class ChangePasswordResponseDto {
  @ApiProperty({ description: 'Other sessions of yours that were ended' }) otherSessionsRevoked!: number;
}
