import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  raw: string;
  closed: boolean;
  elapsedMs: number;
}

// Sends bytes as they are (no client normalises anything) and reads one response, or whatever
// arrives before the server closes the connection or `timeoutMs` passes.
export function rawRequest(
  port: number,
  payload: string | Buffer | (string | Buffer)[],
  options: { timeoutMs?: number; delayBetweenMs?: number } = {},
): Promise<RawResponse> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parse(data.toString('latin1'), closed, Date.now() - started));
    };
    const timer = setTimeout(() => finish(false), options.timeoutMs ?? 5000);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const text = data.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end >= 0) {
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end));
        if (length && text.length >= end + 4 + Number(length[1])) finish(false);
      }
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    const parts = Array.isArray(payload) ? payload : [payload];
    void (async () => {
      for (const part of parts) {
        if (socket.destroyed) return;
        socket.write(part);
        if (options.delayBetweenMs) await new Promise((r) => setTimeout(r, options.delayBetweenMs));
      }
    })();
  });
}

function parse(text: string, closed: boolean, elapsedMs: number): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  const head = end >= 0 ? text.slice(0, end) : text;
  const lines = head.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, body: end >= 0 ? text.slice(end + 4) : '', raw: text, closed, elapsedMs };
}
