// Ready-to-paste configuration and code for a grant's holder, with the relay as endpoint.
export interface GrantSecrets {
  endpoint: string; // e.g. https://relay.example.net/1.0
  applicationKey: string;
  applicationSecret: string;
  consumerKey: string;
  bearerToken?: string;
}

// The admin API puts the relay's public URL (RELAY_PUBLIC_URL, or this host on
// RELAY_PORT) in a meta tag of index.html.
export function relayBaseUrl(): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="broker-relay-url"]')?.content;
  return (meta || `${window.location.protocol}//${window.location.hostname}:3001`).replace(/\/+$/, '');
}

export function relayEndpointGuess(): string {
  return `${relayBaseUrl()}/1.0`;
}

const q = (s: string) => JSON.stringify(s);
const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function envSnippet(s: GrantSecrets): string {
  return [
    `export OVH_ENDPOINT=${shq(s.endpoint)}`,
    `export OVH_APPLICATION_KEY=${shq(s.applicationKey)}`,
    `export OVH_APPLICATION_SECRET=${shq(s.applicationSecret)}`,
    `export OVH_CONSUMER_KEY=${shq(s.consumerKey)}`,
    ...(s.bearerToken
      ? [`# or, for plain HTTP clients:`, `export OVH_BROKER_TOKEN=${shq(s.bearerToken)}`]
      : []),
  ].join('\n');
}

export function pythonSnippet(s: GrantSecrets): string {
  return `import ovh

# python-ovh only knows named endpoints: register the relay under a name of its own.
ovh.client.ENDPOINTS["broker"] = ${q(s.endpoint)}

client = ovh.Client(
    endpoint="broker",
    application_key=${q(s.applicationKey)},
    application_secret=${q(s.applicationSecret)},
    consumer_key=${q(s.consumerKey)},
)

print(client.get("/me"))`;
}

export function nodeSnippet(s: GrantSecrets): string {
  const u = new URL(s.endpoint);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return `const ovh = require('ovh')({
  host: ${q(u.hostname)},
  port: ${port},
  protocol: ${q(u.protocol.replace(':', ''))},
  basePath: ${q(u.pathname.replace(/\/$/, '') || '/1.0')},
  appKey: ${q(s.applicationKey)},
  appSecret: ${q(s.applicationSecret)},
  consumerKey: ${q(s.consumerKey)},
});

ovh.requestPromised('GET', '/me').then(console.log, console.error);`;
}

export function goSnippet(s: GrantSecrets): string {
  return `package main

import (
	"fmt"

	"github.com/ovh/go-ovh/ovh"
)

func main() {
	client, err := ovh.NewClient(
		${q(s.endpoint.replace(/\/$/, ''))},
		${q(s.applicationKey)},
		${q(s.applicationSecret)},
		${q(s.consumerKey)},
	)
	if err != nil {
		panic(err)
	}
	var me map[string]interface{}
	if err := client.Get("/me", &me); err != nil {
		panic(err)
	}
	fmt.Println(me)
}`;
}

export function curlBearerSnippet(s: GrantSecrets): string {
  return `curl -sS ${shq(`${s.endpoint}/me`)} \\\n  -H ${shq(`Authorization: Bearer ${s.bearerToken ?? '<token>'}`)}`;
}

// One call, written three ways, for the console's "copy as code".
export interface CallSpec {
  method: string;
  endpoint: string; // relay base, e.g. http://host:3001/1.0
  path: string; // with query string
  body?: string; // JSON text
  token: string; // bearer token, or a placeholder
}

export function curlCall(c: CallSpec): string {
  const lines = [
    `curl -sS -X ${c.method} ${shq(c.endpoint + c.path)}`,
    `  -H ${shq(`Authorization: Bearer ${c.token}`)}`,
  ];
  if (c.body) lines.push(`  -H 'Content-Type: application/json'`, `  --data ${shq(c.body)}`);
  return lines.join(' \\\n');
}

function pyLiteral(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 4)
      .replace(/\btrue\b/g, 'True')
      .replace(/\bfalse\b/g, 'False')
      .replace(/\bnull\b/g, 'None');
  } catch {
    return q(json);
  }
}

export function pythonCall(c: CallSpec): string {
  const [path, query] = c.path.split('?');
  const kwargs = query
    ? [...new URLSearchParams(query).entries()].map(([k, v]) => `${k === 'from' ? '_from' : k}=${q(v)}`)
    : [];
  const body = c.body ? `**${pyLiteral(c.body)}` : '';
  const args = [q(path), ...kwargs, ...(body ? [body] : [])].join(', ');
  return `import ovh

ovh.client.ENDPOINTS["broker"] = ${q(c.endpoint)}
client = ovh.Client(endpoint="broker")  # keys from OVH_APPLICATION_KEY / _SECRET / OVH_CONSUMER_KEY

result = client.${c.method.toLowerCase()}(${args})
print(result)`;
}

export function nodeCall(c: CallSpec): string {
  const [path, query] = c.path.split('?');
  let params = '';
  if (c.body) {
    try {
      params = JSON.stringify(JSON.parse(c.body), null, 2);
    } catch {
      params = c.body;
    }
  } else if (query) {
    params = JSON.stringify(Object.fromEntries(new URLSearchParams(query)), null, 2);
  }
  return `// npm install ovh; keys from OVH_APPLICATION_KEY / _SECRET / OVH_CONSUMER_KEY
const endpoint = new URL(${q(c.endpoint)});
const ovh = require('ovh')({
  host: endpoint.hostname,
  port: Number(endpoint.port) || (endpoint.protocol === 'https:' ? 443 : 80),
  protocol: endpoint.protocol.replace(':', ''),
  basePath: endpoint.pathname,
  appKey: process.env.OVH_APPLICATION_KEY,
  appSecret: process.env.OVH_APPLICATION_SECRET,
  consumerKey: process.env.OVH_CONSUMER_KEY,
});

ovh.requestPromised(${q(c.method)}, ${q(path)}${params ? `, ${params}` : ''}).then(console.log, console.error);`;
}
