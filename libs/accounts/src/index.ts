export * from './account-viewer';
export * from './account.entity';
export * from './accounts.module';
export * from './accounts.service';
