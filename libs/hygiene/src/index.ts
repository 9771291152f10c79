export * from './hygiene-rules';
