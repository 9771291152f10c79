// `npm run bench -- <name> [args]` runs bench/<name>; with no name, lists them.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const BENCHES: Record<string, string> = {
  vault: 'vault/vault.bench.ts',
  relay: 'relay/run.ts',
  soak: 'soak/run.ts',
};

const [name, ...rest] = process.argv.slice(2);
const entry = name ? BENCHES[name] : undefined;
if (!entry || !existsSync(join(__dirname, entry))) {
  const available = Object.keys(BENCHES).filter((b) => existsSync(join(__dirname, BENCHES[b])));
  console.error(`Usage: npm run bench -- <${available.join('|')}> [options]`);
  console.error(`bench/ holds: ${readdirSync(__dirname).join(', ')}`);
  process.exit(name ? 2 : 0);
}
process.argv = [process.argv[0], join(__dirname, entry), ...rest];
void import(join(__dirname, entry));
