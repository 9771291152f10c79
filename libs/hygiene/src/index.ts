export * from './hygiene-rules';
export * from './hygiene.module';
export * from './hygiene.service';
