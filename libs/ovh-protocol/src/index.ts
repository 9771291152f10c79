export * from './ovh-signature';
export * from './ovh-headers';
export * from './ovh-endpoints';
export * from './access-rules';
export * from './canonical-path';
export * from './ovh-errors';
export * from './upstream-client';
