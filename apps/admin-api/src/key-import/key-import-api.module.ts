import { Module } from '@nestjs/common';
import { KeyImportModule } from '@app/key-import';
import { KeyImportController } from './key-import.controller';

@Module({ imports: [KeyImportModule], controllers: [KeyImportController] })
export class KeyImportApiModule {}
