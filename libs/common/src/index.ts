export * from './clock';
export * from './common.module';
export * from './errors/domain.exception';
export * from './errors/http-exception.filter';
export * from './errors/validation';
export * from './health/readiness.service';
export * from './request-id';
export * from './app/configure-http-app';
