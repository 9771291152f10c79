export * from './client-config';
export * from './key-import.module';
export * from './key-import.service';
