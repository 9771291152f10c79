import { ConfigValidationError, validateEnvironment } from './env.validation';

describe(validateEnvironment.name, () => {
  it('applies the documented defaults when nothing is set', () => {
    const env = validateEnvironment({});
    expect(env).toMatchObject({ PORT: 3000, RELAY_PORT: 3001, EMULATOR_PORT: 3100, DATA_DIR: './data' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.NODE_ENV).toBe('development');
  });

  it('parses numeric strings from the environment', () => {
    expect(validateEnvironment({ PORT: '8080', MIGRATIONS_RUN: 'false' })).toMatchObject({
      PORT: 8080,
      MIGRATIONS_RUN: false,
    });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['LOG_LEVEL', 'loud'],
    ['NODE_ENV', 'staging'],
    ['PUBLIC_URL', 'not a url'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    expect(() => validateEnvironment({ [name]: value })).toThrow(ConfigValidationError);
    expect(() => validateEnvironment({ [name]: value })).toThrow(new RegExp(`${name}=`));
  });

  it('never echoes the value of a sensitive variable', () => {
    try {
      validateEnvironment({ DATABASE_URL: 'mysql://user:canary-pw-123@host/db' });
      throw new Error('expected a validation error');
    } catch (e) {
      expect(String(e)).toContain('DATABASE_URL=(hidden)');
      expect(String(e)).not.toContain('canary-pw-123');
    }
  });
});
