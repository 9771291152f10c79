import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ConsumerKeyDto } from '../consumer-keys/consumer-keys.dto';

export class ImportConsumerKeyRequestDto {
  @ApiPropertyOptional({ example: 'ovh-eu', description: 'Catalogue name or http(s) base URL' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  endpoint?: string;
  @ApiPropertyOptional({ description: 'Application key (AK), 16 letters or digits' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  applicationKey?: string;
  @ApiPropertyOptional({ description: 'Application secret (AS); sealed on arrival, never returned' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  applicationSecret?: string;
  @ApiPropertyOptional({ description: 'Consumer key (CK); sealed on arrival, never returned' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  consumerKey?: string;
  @ApiPropertyOptional({
    description: 'Instead of the four fields: the content of an ovh.conf file (python-ovh / go-ovh format)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(65536)
  ovhConf?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) label?: string;
  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    description: 'Broker policy from now on: expire the key upstream this long after the import',
  })
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(315360000)
  validitySeconds?: number | null;
}

export class ImportedConsumerKeyDto extends ConsumerKeyDto {
  @ApiProperty({ description: 'True when the application key was registered by this import' })
  applicationRegistered!: boolean;
}

export class DiscoveredCredentialDto {
  @ApiProperty() credentialId!: number;
  @ApiProperty({ nullable: true, type: String }) status!: string | null;
  @ApiProperty({ nullable: true, type: 'array', items: { type: 'object' } }) rules!: unknown[] | null;
  @ApiProperty({ nullable: true, type: String }) creation!: string | null;
  @ApiProperty({ nullable: true, type: String }) expiration!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastUse!: string | null;
  @ApiProperty({ nullable: true, type: [String] }) allowedIPs!: string[] | null;
  @ApiProperty({ description: 'The credential of the key used for discovery' }) current!: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) managedKeyId!: string | null;
  @ApiProperty({ nullable: true, type: String }) managedState!: string | null;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
}

export class DiscoveryDto {
  @ApiProperty({ format: 'uuid' }) keyId!: string;
  @ApiProperty({ format: 'uuid' }) applicationId!: string;
  @ApiProperty() upstreamApplicationId!: number;
  @ApiProperty({ type: [DiscoveredCredentialDto] }) credentials!: DiscoveredCredentialDto[];
  @ApiProperty({ description: 'More than 200 credentials: only the first 200 are detailed' })
  truncated!: boolean;
}
