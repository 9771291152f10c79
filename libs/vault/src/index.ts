export * from './envelope';
export * from './master-key.provider';
export * from './vault.entities';
export * from './vault.errors';
export * from './vault-key.store';
export * from './vault-rotation.service';
export * from './vault.module';
export * from './vault.service';
