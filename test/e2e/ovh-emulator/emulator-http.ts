import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { computeOvhSignature } from '@app/ovh-protocol';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json<T = unknown>(): T;
}

// node:http sends `target` verbatim, which lets tests tamper with single bytes.
export function rawRequest(
  origin: string,
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawResponse> {
  const { hostname, port } = new URL(origin);
  // Node sends GET/DELETE bodies without framing unless Content-Length is set.
  const framed =
    body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path: target, headers: framed }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: <T>() => JSON.parse(text) as T,
        });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export interface SignParts {
  appKey: string;
  appSecret: string;
  consumerKey: string;
  method: string;
  url: string;
  body?: string;
  timestamp: number;
}

export function signedHeaders(parts: SignParts): Record<string, string> {
  return {
    'X-Ovh-Application': parts.appKey,
    'X-Ovh-Consumer': parts.consumerKey,
    'X-Ovh-Timestamp': String(parts.timestamp),
    'X-Ovh-Signature': computeOvhSignature({ ...parts, body: parts.body ?? '' }),
    ...(parts.body ? { 'Content-Type': 'application/json' } : {}),
  };
}

export async function controlPost(origin: string, path: string, body: unknown): Promise<RawResponse> {
  const text = JSON.stringify(body);
  return rawRequest(origin, 'POST', `/_emulator${path}`, { 'Content-Type': 'application/json' }, text);
}
