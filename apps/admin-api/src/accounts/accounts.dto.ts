import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';

export class CreateAccountRequestDto {
  @ApiProperty({ example: 'Acme SAS' }) @IsString() @MinLength(1) @MaxLength(200) displayName!: string;
  @ApiPropertyOptional({
    description: 'OVHcloud nichandle, if known; learnt on the first validation otherwise',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  nichandle?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) contactName?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsEmail() @MaxLength(320) contactEmail?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) notes?: string | null;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  tags?: string[];
}

export class UpdateAccountRequestDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(200) displayName?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) nichandle?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) contactName?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsEmail() @MaxLength(320) contactEmail?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) notes?: string | null;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  tags?: string[];
}

export class SetAccountOperatorsRequestDto {
  @ApiProperty({ type: [String], format: 'uuid' })
  @IsArray()
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  operatorIds!: string[];
}

export class AccountDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ nullable: true, type: String }) nichandle!: string | null;
  @ApiProperty({ nullable: true, type: String }) contactName!: string | null;
  @ApiProperty({ nullable: true, type: String }) contactEmail!: string | null;
  @ApiProperty({ nullable: true, type: String }) notes!: string | null;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: [String], format: 'uuid' }) operatorIds!: string[];
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt!: Date;
}
