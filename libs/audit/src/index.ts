export * from './audit-chain.service';
export * from './audit-context';
export * from './audit-event.entity';
export * from './audit-hash';
export * from './audit.module';
export * from './audit.service';
export * from './audit.types';
export * from './sanitize';
