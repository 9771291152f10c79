export * from './config.module';
export * from './env.validation';
