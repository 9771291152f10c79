import { type EmulatorRequest, rawBodyOf } from './emulator-request';
import { OvhHttpException } from './ovh-http.exception';

export function parseJsonObject(req: EmulatorRequest): Record<string, unknown> {
  const raw = rawBodyOf(req);
  if (raw.length === 0) throw OvhHttpException.badRequest('Missing body: a JSON object was expected');
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw OvhHttpException.badRequest('Invalid JSON received');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw OvhHttpException.badRequest('Invalid body: a JSON object was expected');
  }
  return value as Record<string, unknown>;
}
