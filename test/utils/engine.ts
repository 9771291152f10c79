// Which engine the run's databases come from (set by test/setup/global-setup.ts):
// a PostgreSQL server, or the embedded PGlite fallback when none answers.
export function onEmbeddedEngine(): boolean {
  return process.env.BROKER_TEST_ENGINE === 'embedded';
}

function skipped(what: string, reason: string): void {
  console.warn(`[embedded engine] skipped "${what}": ${reason}`);
}

// For tests that need what only a PostgreSQL server has (pg_dump, a second server
// process, LISTEN/NOTIFY between connections, several instances on one database).
// On the embedded engine they are skipped with the reason printed, never because
// they fail.
export function describeOnRealPostgres(name: string, reason: string, fn: () => void): void {
  if (onEmbeddedEngine()) {
    skipped(name, reason);
    describe.skip(name, fn);
    return;
  }
  describe(name, fn);
}

export function itOnRealPostgres(
  name: string,
  reason: string,
  fn: jest.ProvidesCallback,
  timeout?: number,
): void {
  if (onEmbeddedEngine()) {
    skipped(name, reason);
    it.skip(name, fn);
    return;
  }
  it(name, fn, timeout);
}
