export * from './job-intervals';
export * from './job-run.entity';
export * from './job-runner.service';
export * from './jobs.module';
