import { createHash } from 'node:crypto';
import { Agent, createServer, request } from 'node:http';
import { canonicalizeRequestTarget } from '@app/ovh-protocol';

// The floor: the least a relay must do (canonicalise, allowlist headers, SHA-1 sign, forward over
// a keep-alive pool), with no authentication, policy, cache, limits or audit.
const upstreamPort = Number(process.env.UPSTREAM_PORT);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const ALLOWED = new Set(['accept', 'content-type', 'user-agent']);
const server = createServer((req, res) => {
  let target;
  try {
    target = canonicalizeRequestTarget(req.url ?? '').target;
  } catch {
    res.writeHead(400).end();
    return;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (ALLOWED.has(k) && typeof v === 'string') headers[k] = v;
  const ts = Math.floor(Date.now() / 1000);
  const url = `http://127.0.0.1:${upstreamPort}${target}`;
  headers['x-ovh-application'] = 'AK';
  headers['x-ovh-consumer'] = 'CK';
  headers['x-ovh-timestamp'] = String(ts);
  headers['x-ovh-signature'] =
    '$1$' + createHash('sha1').update(`AS+CK+${req.method}+${url}++${ts}`).digest('hex');
  req.resume();
  const up = request(
    { host: '127.0.0.1', port: upstreamPort, path: target, method: req.method, headers, agent },
    (u) => {
      const chunks: Buffer[] = [];
      u.on('data', (c: Buffer) => chunks.push(c));
      u.on('end', () => {
        const out = Buffer.concat(chunks);
        res.writeHead(u.statusCode ?? 502, {
          'content-type': String(u.headers['content-type'] ?? 'application/json'),
          'content-length': out.length,
        });
        res.end(out);
      });
    },
  );
  up.on('error', () => res.writeHead(502).end());
  up.end();
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`READY ${typeof address === 'object' && address ? address.port : 0}\n`);
});
// exit cleanly on SIGTERM, so that --cpu-prof (BENCH_PROFILE) writes its profile
process.once('SIGTERM', () => process.exit(0));
