import { Inject, Module, OnModuleDestroy } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OvhUpstreamClient } from '@app/ovh-protocol';
import { ApplicationEntity } from './application.entity';
import { ApplicationsService } from './applications.service';

// OVHcloud application keys (AK public, AS sealed by the vault). Also provides the
// shared OvhUpstreamClient used for the broker's own calls (auth/time, credentials).
@Module({
  imports: [TypeOrmModule.forFeature([ApplicationEntity])],
  providers: [
    ApplicationsService,
    {
      provide: OvhUpstreamClient,
      useFactory: () =>
        new OvhUpstreamClient({ connectTimeoutMs: 5000, headersTimeoutMs: 15000, bodyTimeoutMs: 15000 }),
    },
  ],
  exports: [ApplicationsService, OvhUpstreamClient],
})
export class ApplicationsModule implements OnModuleDestroy {
  constructor(@Inject(OvhUpstreamClient) private readonly upstream: OvhUpstreamClient) {}

  async onModuleDestroy(): Promise<void> {
    await this.upstream.close();
  }
}
