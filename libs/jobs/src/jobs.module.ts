import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JobRunEntity } from './job-run.entity';
import { JobRunner } from './job-runner.service';

// One JobRunner per process: libs register their jobs in onModuleInit; it starts
// the timers at bootstrap unless JOBS_ENABLED=false. Tests call runOnce(name).
@Module({
  imports: [TypeOrmModule.forFeature([JobRunEntity])],
  providers: [JobRunner],
  exports: [JobRunner],
})
export class JobsModule {}
