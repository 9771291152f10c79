import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { OVH_HEADER_QUERY_ID, ovhErrorBody, type OvhErrorStyle } from '@app/ovh-protocol';
import type { ControlStateService } from '../control/control-state.service';
import type { EmulatorClock } from '../state/emulator-clock';
import { type EmulatorRequest, rawBodyOf, rawPathOf, rawTargetOf } from './emulator-request';

type Middleware = (req: Request, res: Response, next: NextFunction) => void;

const CONTROL_PREFIX = '/_emulator';

// X-Ovh-Queryid on every response (errors and 404s included), shaped like EU.ext-1.<hex>.<n>.<uuid>.
export function queryIdMiddleware(clock: EmulatorClock): Middleware {
  let counter = 0;
  return (_req, res, next) => {
    counter = (counter + 1) % 100_000;
    res.setHeader(OVH_HEADER_QUERY_ID, `EU.ext-1.${clock.nowSec().toString(16)}.${counter}.${randomUUID()}`);
    next();
  };
}

export function requestLogMiddleware(control: ControlStateService, clock: EmulatorClock): Middleware {
  return (req, res, next) => {
    if (rawPathOf(req).startsWith(CONTROL_PREFIX)) return next();
    const started = Date.now();
    const time = new Date(clock.nowMs()).toISOString();
    let logged = false;
    const log = (): void => {
      if (logged) return;
      logged = true;
      control.record({
        time,
        method: req.method,
        target: rawTargetOf(req),
        headers: { ...req.headers },
        body: rawBodyOf(req as EmulatorRequest).toString('utf8'),
        status: res.headersSent ? res.statusCode : 0,
        durationMs: Date.now() - started,
        queryId: String(res.getHeader(OVH_HEADER_QUERY_ID) ?? ''),
      });
    };
    res.on('finish', log);
    res.on('close', log);
    next();
  };
}

// Reads the body ourselves, unparsed, so the signature is checked over the exact received bytes.
export function rawBodyMiddleware(maxBytes: number, style: OvhErrorStyle): Middleware {
  return (req, res, next) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxBytes) {
        failed = true;
        res
          .status(413)
          .type('application/json')
          .set('Connection', 'close')
          .send(JSON.stringify(ovhErrorBody(style, { status: 413, message: 'Request body is too large' })));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (failed) return;
      (req as EmulatorRequest).rawBody = Buffer.concat(chunks);
      next();
    });
    req.on('error', () => {
      failed = true;
    });
  };
}

export function faultMiddleware(control: ControlStateService, style: OvhErrorStyle): Middleware {
  return (req, res, next) => {
    const path = rawPathOf(req);
    if (path.startsWith(CONTROL_PREFIX)) return next();
    const fault = control.takeFault(req.method, path);
    if (!fault) return next();
    const apply = (): void => {
      if (fault.reset) {
        req.socket.destroy();
        return;
      }
      if (fault.status === undefined) return next();
      const body =
        fault.errorBody !== undefined
          ? fault.errorBody
          : ovhErrorBody(style, { status: fault.status, message: 'Injected fault' });
      res.status(fault.status).type('application/json').send(JSON.stringify(body));
    };
    if (!fault.latencyMs || fault.latencyMs <= 0) return apply();
    const timer = setTimeout(apply, fault.latencyMs);
    // A client that gave up must not keep the timer (and the process) alive.
    res.on('close', () => clearTimeout(timer));
  };
}
