import { DynamicModule, Module, Type } from '@nestjs/common';
import { CommonModule } from '@app/common';
import { BrokerConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';

@Module({})
export class CliModule {
  static with(modules: unknown[]): DynamicModule {
    return {
      module: CliModule,
      imports: [BrokerConfigModule, CommonModule, DatabaseModule, ...(modules as Type[])],
    };
  }
}
