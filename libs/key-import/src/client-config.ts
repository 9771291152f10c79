import { isOvhEndpointName, OVH_ENDPOINT_ALIASES, resolveEndpoint } from '@app/ovh-protocol';

// The key triple an official client (python-ovh, go-ovh, node ovh) is configured
// with, read from an ovh.conf file or from OVH_* environment variables.
export interface ClientKeyConfig {
  endpoint: string; // catalog name (ovh-eu, ...) or a custom base URL
  applicationKey: string;
  applicationSecret: string;
  consumerKey: string;
}

export class ClientConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientConfigError';
  }
}

const MAX_CONF_BYTES = 64 * 1024;

// python-ovh/go-ovh ovh.conf: INI, a [default] section naming the endpoint, then
// one section per endpoint with application_key, application_secret, consumer_key.
export function parseOvhConf(text: string, endpointOverride?: string): ClientKeyConfig {
  if (Buffer.byteLength(text, 'utf8') > MAX_CONF_BYTES)
    throw new ClientConfigError('ovh.conf is larger than 64 KiB');
  const sections = parseIni(text);
  const endpoint = endpointOverride?.trim() || sections.get('default')?.get('endpoint');
  if (!endpoint) {
    throw new ClientConfigError(
      'ovh.conf names no endpoint: add "endpoint=ovh-eu" (for example) under [default]',
    );
  }
  const section = sections.get(endpoint) ?? sections.get(canonicalEndpointName(endpoint));
  if (!section) throw new ClientConfigError(`ovh.conf has no [${endpoint}] section with the keys`);
  return checked(
    endpoint,
    {
      applicationKey: section.get('application_key'),
      applicationSecret: section.get('application_secret'),
      consumerKey: section.get('consumer_key'),
    },
    (k) => `ovh.conf [${endpoint}] has no ${CONF_NAMES[k]}`,
  );
}

export function readClientEnv(env: Record<string, string | undefined>): ClientKeyConfig {
  const endpoint = env.OVH_ENDPOINT?.trim();
  if (!endpoint) throw new ClientConfigError('OVH_ENDPOINT is not set');
  return checked(
    endpoint,
    {
      applicationKey: env.OVH_APPLICATION_KEY,
      applicationSecret: env.OVH_APPLICATION_SECRET,
      consumerKey: env.OVH_CONSUMER_KEY,
    },
    (k) => `${ENV_NAMES[k]} is not set`,
  );
}

// The triple as typed in a form or a JSON body; same checks as the file and env readers.
export function normalizeClientConfig(input: Partial<ClientKeyConfig>): ClientKeyConfig {
  const endpoint = input.endpoint?.trim();
  if (!endpoint) throw new ClientConfigError('endpoint is missing');
  return checked(
    endpoint,
    {
      applicationKey: input.applicationKey,
      applicationSecret: input.applicationSecret,
      consumerKey: input.consumerKey,
    },
    (k) => `${k} is missing`,
  );
}

const ENV_NAMES = {
  applicationKey: 'OVH_APPLICATION_KEY',
  applicationSecret: 'OVH_APPLICATION_SECRET',
  consumerKey: 'OVH_CONSUMER_KEY',
} as const;

function checked(
  endpoint: string,
  keys: Record<keyof typeof ENV_NAMES, string | undefined>,
  missing: (k: keyof typeof ENV_NAMES) => string,
): ClientKeyConfig {
  for (const k of Object.keys(ENV_NAMES) as (keyof typeof ENV_NAMES)[]) {
    if (!keys[k]?.trim()) throw new ClientConfigError(missing(k));
  }
  try {
    resolveEndpoint(endpoint);
  } catch {
    throw new ClientConfigError(
      `unknown endpoint "${endpoint}": use a catalog name (ovh-eu, ovh-ca, ...) or an http(s) URL`,
    );
  }
  return {
    endpoint: canonicalEndpointName(endpoint),
    applicationKey: (keys.applicationKey as string).trim(),
    applicationSecret: (keys.applicationSecret as string).trim(),
    consumerKey: (keys.consumerKey as string).trim(),
  };
}

function canonicalEndpointName(endpoint: string): string {
  if (isOvhEndpointName(endpoint)) return endpoint;
  return OVH_ENDPOINT_ALIASES[endpoint] ?? endpoint;
}

function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      const name = header[1].trim();
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      continue;
    }
    const eq = line.search(/[=:]/);
    if (eq <= 0 || !current) continue;
    current.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  return sections;
}

const CONF_NAMES = {
  applicationKey: 'application_key',
  applicationSecret: 'application_secret',
  consumerKey: 'consumer_key',
} as const;
