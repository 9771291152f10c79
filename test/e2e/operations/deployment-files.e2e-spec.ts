import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

// No container engine runs on the CI machines, so docker-compose.yml and the
// Dockerfile are checked statically: they parse, and what they name exists.
const root = resolve(__dirname, '../../..');
const read = (p: string) => readFileSync(resolve(root, p), 'utf8');

// js-yaml comes with the dev toolchain (eslint); no dependency is added for this test.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as {
  load(text: string, options: { schema: unknown }): unknown;
  YAML11_SCHEMA: unknown;
};

type Service = {
  build?: string;
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  secrets?: string[];
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
  profiles?: string[];
};
type Compose = { services: Record<string, Service>; secrets: Record<string, { file: string }> };

describe('docker-compose.yml', () => {
  // YAML 1.1, as Compose reads it (with `<<` merge keys)
  const compose = yaml.load(read('docker-compose.yml'), { schema: yaml.YAML11_SCHEMA }) as Compose;
  const broker = compose.services.broker;
  const knownVariables = read('libs/config/src/env.validation.ts');

  it('declares Postgres, Redis and the broker, the broker waiting for both to be healthy', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgres', 'redis', 'broker']));
    expect(broker.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    expect(compose.services.postgres.healthcheck?.test.join(' ')).toContain('pg_isready');
  });

  it('sets only variables the broker knows, with the master key from a secret file', () => {
    const env = broker.environment ?? {};
    for (const name of Object.keys(env)) {
      expect({ name, known: new RegExp(`\\b${name}\\b`).test(knownVariables) }).toEqual({
        name,
        known: true,
      });
    }
    expect(env.DATABASE_URL).toMatch(
      /^postgres:\/\/broker:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/broker$/,
    );
    expect(env.MASTER_KEY_FILE).toBe('/run/secrets/master_key');
    expect(env).not.toHaveProperty('MASTER_KEY');
    expect(broker.secrets).toEqual(['master_key']);
    expect(compose.secrets.master_key.file).toContain('master.key');
  });

  it('gives the broker longer to stop than its drain plus grace period', () => {
    const seconds = Number(/^(\d+)s$/.exec(broker.stop_grace_period ?? '')?.[1]);
    const drain = Number(/:-(\d+)/.exec(String(broker.environment?.SHUTDOWN_DRAIN_MS))?.[1]);
    const grace = Number(/:-(\d+)/.exec(String(broker.environment?.SHUTDOWN_GRACE_MS))?.[1]);
    expect(seconds * 1000).toBeGreaterThan(drain + grace);
  });

  it('has one-shot services for controlled migrations and backups that point at real files', () => {
    const migrate = compose.services.migrate;
    expect(migrate.profiles).toEqual(['migrate']);
    expect(migrate.environment?.DATABASE_URL).toBe(broker.environment?.DATABASE_URL);
    expect(migrate.command).toEqual([
      'node',
      'node_modules/typeorm/cli.js',
      '-d',
      'dist/migrations/data-source.js',
      'migration:run',
    ]);
    expect(existsSync(resolve(root, 'migrations/data-source.ts'))).toBe(true);
    expect(existsSync(resolve(root, 'node_modules/typeorm/cli.js'))).toBe(true);
    expect(compose.services.backup.command?.join(' ')).toMatch(/pg_dump --format=custom/);
    const emulator = compose.services['ovh-emulator'].command?.[1] ?? '';
    expect(existsSync(resolve(root, emulator.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('runs the broker entry point as an unprivileged user with a readiness health check', () => {
    expect(dockerfile).toMatch(/^USER broker$/m);
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/health\/ready/);
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    expect(cmd[0]).toBe('node');
    expect(cmd[cmd.length - 1]).toBe('dist/apps/broker/src/main.js');
    expect(existsSync(resolve(root, 'apps/broker/src/main.ts'))).toBe(true);
  });

  it('runs Node with the V8 flags the relay benchmark measures, as npm start does', () => {
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    const flags = cmd.slice(1, -1).join(' ');
    expect(flags).toBe('--max-semi-space-size=32 --heap-growing-percent=100');
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toContain(`node ${flags} dist/apps/broker/src/main.js`);
    expect(scripts['start:relay']).toContain(`node ${flags} dist/apps/relay/src/main.js`);
    expect(read('bench/relay/run.ts')).toContain(`const RELAY_NODE_FLAGS = '${flags}'`);
  });

  it('copies everything the build needs', () => {
    for (const dir of ['apps', 'libs', 'migrations']) expect(dockerfile).toContain(`COPY ${dir} ./${dir}`);
    expect(dockerfile).toMatch(/npm ci/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
  });
});
