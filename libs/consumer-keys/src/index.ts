export * from './consumer-key-state';
export * from './consumer-key-upstream';
export * from './consumer-key.entity';
export * from './consumer-key.view';
export * from './consumer-keys.module';
export * from './consumer-keys.service';
export * from './rule-presets';
