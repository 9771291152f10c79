import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class LoginRequestDto {
  @ApiProperty({ example: 'alice@agency.example' }) @IsString() @MaxLength(320) email!: string;
  @ApiProperty({ format: 'password' }) @IsString() @MaxLength(1024) password!: string;
}

export class RefreshRequestDto {
  @ApiProperty({ description: 'The refresh token (obr_…); it is rotated on use' })
  @IsString()
  @MaxLength(200)
  refreshToken!: string;
}

export class SessionTokensDto {
  @ApiProperty({ enum: ['Bearer'] }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'Access token (oba_…), sent as Authorization: Bearer' }) accessToken!: string;
  @ApiProperty({ description: 'Refresh token (obr_…), single use' }) refreshToken!: string;
  @ApiProperty({ description: 'Access token lifetime, seconds' }) expiresIn!: number;
  @ApiProperty({ description: 'Refresh token lifetime, seconds' }) refreshExpiresIn!: number;
  @ApiProperty({ description: 'true when the session may only enrol a second factor' }) restricted!: boolean;
}

export class LoginResponseDto {
  @ApiProperty() mfaRequired!: boolean;
  @ApiPropertyOptional({ description: 'When mfaRequired: pass it to POST /auth/2fa/verify within 5 minutes' })
  mfaToken?: string;
  @ApiPropertyOptional() tokenType?: 'Bearer';
  @ApiPropertyOptional() accessToken?: string;
  @ApiPropertyOptional() refreshToken?: string;
  @ApiPropertyOptional() expiresIn?: number;
  @ApiPropertyOptional() refreshExpiresIn?: number;
  @ApiPropertyOptional() restricted?: boolean;
}

export class TotpCodeDto {
  @ApiProperty({ example: '123456' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code!: string;
}

export class SecondFactorDto {
  @ApiPropertyOptional({ example: '123456' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code?: string;

  @ApiPropertyOptional({ example: 'ABCD-EFGH-JKLM-NPQR' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  recoveryCode?: string;
}

export class MfaVerifyRequestDto extends SecondFactorDto {
  @ApiProperty({ description: 'The mfaToken (obm_…) returned by POST /auth/login' })
  @IsString()
  @MaxLength(200)
  mfaToken!: string;
}

export class TotpEnrolmentDto {
  @ApiProperty({ example: 'otpauth://totp/OVHcloud%20broker:alice%40agency.example?secret=…' })
  otpauthUri!: string;
  @ApiProperty({ description: 'PNG QR code of otpauthUri, as a data: URL' }) qrCodeDataUrl!: string;
  @ApiProperty({ description: 'Base32 secret, for manual entry' }) secret!: string;
}

export class RecoveryCodesDto {
  @ApiProperty({ type: [String], description: 'Ten one-time recovery codes, shown only now' })
  recoveryCodes!: string[];
}

export class SetupRequestDto {
  @ApiProperty({ description: 'The one-time setup token printed in the log at first start' })
  @IsString()
  @MaxLength(200)
  setupToken!: string;

  @ApiProperty() @IsEmail() @MaxLength(320) email!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(120) displayName!: string;
  @ApiProperty({ format: 'password', minLength: 12 })
  @IsString()
  @MinLength(12)
  @MaxLength(1024)
  password!: string;
}
