// Entry points load everything lazily through this, so that a configuration
// error raised while modules load still ends in one clear line and exit code 1.
export function runMain(name: string, start: () => Promise<unknown>): void {
  start().catch((e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    if (err.name === 'ConfigValidationError') console.error(err.message);
    else console.error(`${name} failed to start: ${err.message}`);
    process.exit(1);
  });
}
