export * from './auth/auth.decorators';
export * from './auth/principal';
