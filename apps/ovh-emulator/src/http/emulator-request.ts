import type { Request } from 'express';
import type { ApplicationRecord, AccountRecord, CredentialRecord } from '../state/emulator-records';

export interface OvhAuthContext {
  application: ApplicationRecord;
  credential: CredentialRecord;
  account: AccountRecord;
}

// Extra fields our middlewares attach to the Express request.
export interface EmulatorRequest extends Request {
  rawBody?: Buffer;
  ovhAuth?: OvhAuthContext;
}

export function rawBodyOf(req: EmulatorRequest): Buffer {
  return req.rawBody ?? Buffer.alloc(0);
}

// The request target exactly as received: Express keeps it undecoded in originalUrl.
export function rawTargetOf(req: Request): string {
  return req.originalUrl;
}

export function rawPathOf(req: Request): string {
  const target = rawTargetOf(req);
  const q = target.indexOf('?');
  return q < 0 ? target : target.slice(0, q);
}

export function queryOf(req: Request): URLSearchParams {
  const target = rawTargetOf(req);
  const q = target.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
}

// Path relative to the API branch (/1.0, /v1, /v2), as access rules see it.
export function branchRelativePath(req: Request): string {
  const path = rawPathOf(req);
  const match = /^\/(?:1\.0|v1|v2)(\/.*)?$/.exec(path);
  return match ? (match[1] ?? '/') : path;
}

export function firstHeader(req: Request, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
