import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  const { BROKER_TEST_ENGINE, BROKER_TEST_ADMIN_URL, BROKER_TEST_RUN_ID, BROKER_TEST_EMBEDDED_PID } =
    process.env;
  if (BROKER_TEST_ENGINE === 'embedded' && BROKER_TEST_EMBEDDED_PID) {
    // the embedded engine server started by global-setup.ts (it also exits on its own once jest is gone)
    try {
      process.kill(Number(BROKER_TEST_EMBEDDED_PID), 'SIGTERM');
    } catch {
      // already gone
    }
    console.log('[test database] engine was embedded PGlite; stopped the engine server');
    return;
  }
  if (BROKER_TEST_ENGINE !== 'postgres' || !BROKER_TEST_ADMIN_URL || !BROKER_TEST_RUN_ID) return;
  const client = new Client({ connectionString: BROKER_TEST_ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`${BROKER_TEST_RUN_ID}%`],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
  console.log(`[test database] engine was ${BROKER_TEST_ENGINE}; dropped the run's databases`);
}
