export * from './application-key-format';
export * from './application.entity';
export * from './applications.module';
export * from './applications.service';
