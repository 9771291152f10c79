import { createServer } from 'node:http';

// Zero-latency OVHcloud stand-in: 1.2 KB JSON for any call, /auth/time for the relay's sync.
const body = JSON.stringify({
  records: Array.from({ length: 24 }, (_, i) => ({
    id: 5000000 + i,
    fieldType: 'A',
    target: `192.0.2.${i}`,
  })),
}).slice(0, 1200);
const latencyMs = Number(process.env.STUB_LATENCY_MS ?? 0);
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const answer = () => {
      if (req.url?.endsWith('/auth/time')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(String(Math.floor(Date.now() / 1000)));
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'x-ovh-queryid': 'EU.bench.1',
      });
      res.end(body);
    };
    if (latencyMs > 0) setTimeout(answer, latencyMs);
    else answer();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`READY ${typeof address === 'object' && address ? address.port : 0}\n`);
});
