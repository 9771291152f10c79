import { session } from './session';

export const API_PREFIX = '/api/v1';

// An admin API error: its body is {code, message, requestId, details?}.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  // class-validator failures come as details.fields: {name: [messages]} or [{field, messages}].
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    const fields = (this.details as { fields?: unknown } | undefined)?.fields;
    if (Array.isArray(fields)) {
      for (const f of fields as {
        field?: string;
        property?: string;
        messages?: string[];
        problems?: string[];
        message?: string;
      }[]) {
        const name = f.field ?? f.property;
        if (name) out[name] = (f.messages ?? f.problems ?? [f.message ?? 'invalid']).join('; ');
      }
    } else if (fields && typeof fields === 'object') {
      for (const [k, v] of Object.entries(fields as Record<string, unknown>)) {
        out[k] = Array.isArray(v) ? v.join('; ') : String(v);
      }
    }
    return out;
  }
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  // false for the login, refresh and setup calls, which must not try a refresh on 401.
  auth?: boolean;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export function withQuery(path: string, query?: RequestOptions['query']): string {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

async function send(path: string, options: RequestOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  return fetch(withQuery(`${API_PREFIX}${path}`, options.query), {
    method: options.method ?? (options.body !== undefined ? 'POST' : 'GET'),
    headers,
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    signal: options.signal,
    credentials: 'same-origin',
    cache: 'no-store',
  });
}

export async function toApiError(res: Response): Promise<ApiError> {
  let body: { code?: string; message?: string | string[]; details?: unknown; requestId?: string } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // not JSON: keep the status line
  }
  const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
  return new ApiError(
    res.status,
    body.code ?? `HTTP_${res.status}`,
    message ?? (res.statusText || `Request failed with status ${res.status}`),
    body.details,
    body.requestId ?? res.headers.get('x-request-id') ?? undefined,
  );
}

async function parse<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

// Calls the admin API as the signed-in operator. On a 401 it rotates the refresh
// token once and retries; if that fails too the session ends and the app shows login.
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const useAuth = options.auth !== false;
  let token = useAuth ? await session.accessToken() : null;
  let res = await send(path, options, token);
  if (res.status === 401 && useAuth && token) {
    token = await session.refresh();
    if (!token) {
      session.expire('Your session has expired. Please sign in again.');
      throw await toApiError(res);
    }
    res = await send(path, options, token);
    if (res.status === 401) {
      session.expire('Your session has expired. Please sign in again.');
    }
  }
  if (!res.ok) throw await toApiError(res);
  return parse<T>(res);
}

// Raw download (CSV / NDJSON exports) with the same authentication.
export async function download(path: string, query?: RequestOptions['query']): Promise<Blob> {
  let token = await session.accessToken();
  let res = await send(path, { query, headers: { Accept: '*/*' } }, token);
  if (res.status === 401 && token) {
    token = await session.refresh();
    if (token) res = await send(path, { query, headers: { Accept: '*/*' } }, token);
  }
  if (!res.ok) throw await toApiError(res);
  return res.blob();
}

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error)
    return e.message === 'Failed to fetch' ? 'The server could not be reached.' : e.message;
  return String(e);
}

// Downloads an export and hands it to the browser as a file.
export async function saveDownload(
  path: string,
  query: RequestOptions['query'],
  filename: string,
): Promise<void> {
  const blob = await download(path, query);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  window.setTimeout(() => URL.revokeObjectURL(url), 2000);
}
