export * from './health.controller';
export * from './logging.module';
