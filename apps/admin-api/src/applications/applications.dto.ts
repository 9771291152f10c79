import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class RegisterApplicationRequestDto {
  @ApiProperty({ example: 'Agency production app' }) @IsString() @MinLength(1) @MaxLength(100) label!: string;
  @ApiProperty({
    example: 'ovh-eu',
    description: 'A catalogue name (ovh-eu, ovh-ca, ovh-us, kimsufi-eu, ...) or a custom http(s) base URL',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  endpoint!: string;
  @ApiProperty({ description: 'Application key (AK), 16 characters' })
  @IsString()
  @MaxLength(100)
  appKey!: string;
  @ApiProperty({ description: 'Application secret (AS), 32 characters; stored encrypted, never returned' })
  @IsString()
  @MaxLength(200)
  appSecret!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) description?: string;
}

export class ApplicationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() label!: string;
  @ApiProperty() endpoint!: string;
  @ApiProperty({ example: 'https://eu.api.ovh.com/1.0' }) endpointBaseUrl!: string;
  @ApiProperty() appKey!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ enum: ['active', 'disabled'] }) status!: 'active' | 'disabled';
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt!: Date;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) disabledAt!: Date | null;
}
