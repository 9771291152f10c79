import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock';
import { ReadinessService } from './health/readiness.service';

@Global()
@Module({
  providers: [ReadinessService, { provide: Clock, useClass: SystemClock }],
  exports: [ReadinessService, Clock],
})
export class CommonModule {}
