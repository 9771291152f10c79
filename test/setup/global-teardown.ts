import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  const { BROKER_TEST_ENGINE, BROKER_TEST_ADMIN_URL, BROKER_TEST_RUN_ID } = process.env;
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
