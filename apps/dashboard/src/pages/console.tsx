import { useEffect, useMemo, useState } from 'preact/hooks';
import type { RouteProps } from '../app';
import { type ConsoleResult, consoleSession, executeThroughRelay } from '../api/console';
import { Accounts, ConsumerKeys } from '../api/endpoints';
import { isCallGranted } from '../../../../libs/ovh-protocol/src/access-rules';
import { Method } from '../components/rules';
import { CopyableCode, Tabs } from '../components/tabs';
import {
  Button,
  Card,
  CopyButton,
  Empty,
  ErrorBanner,
  Loading,
  PageHeader,
  SelectField,
} from '../components/ui';
import { useAsync } from '../lib/hooks';
import { ROUTE_CATALOGUE, type CatalogueRoute, routeAllowed } from '../lib/route-catalogue';
import { location, navigate } from '../lib/router';
import { type CallSpec, curlCall, nodeCall, pythonCall, relayEndpointGuess } from '../lib/snippets';

const FREE: CatalogueRoute = {
  method: 'GET',
  path: '',
  summary: 'Free-form call',
  section: 'free',
  params: [],
};

function buildCall(route: CatalogueRoute, values: Record<string, string>, freePath: string, rawBody: string) {
  if (route === FREE)
    return { path: freePath.trim(), body: rawBody.trim() || undefined, missing: [] as string[] };
  const missing: string[] = [];
  let path = route.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = values[`path.${name}`]?.trim();
    if (!v) missing.push(name);
    return encodeURIComponent(v || `{${name}}`);
  });
  const query = new URLSearchParams();
  const body: Record<string, unknown> = {};
  for (const p of route.params) {
    const v = values[`${p.in}.${p.name}`]?.trim();
    if (!v) {
      if (p.required && p.in !== 'path') missing.push(p.name);
      continue;
    }
    if (p.in === 'query') query.set(p.name, v);
    if (p.in === 'body') {
      if (p.type === 'number' && /^-?\d+(\.\d+)?$/.test(v)) body[p.name] = Number(v);
      else if (v.startsWith('[') || v === 'null') {
        try {
          body[p.name] = JSON.parse(v);
        } catch {
          body[p.name] = v;
        }
      } else body[p.name] = v;
    }
  }
  if ([...query.keys()].length) path += `?${query.toString()}`;
  const hasBody = route.method === 'POST' || route.method === 'PUT';
  return { path, body: hasBody && Object.keys(body).length ? JSON.stringify(body) : undefined, missing };
}

export function ConsolePage({ me }: RouteProps) {
  const accounts = useAsync(() => Accounts.list(), []);
  const [accountId, setAccountId] = useState(location.get().query.get('account') ?? '');
  const keys = useAsync(() => (accountId ? ConsumerKeys.list(accountId) : Promise.resolve([])), [accountId]);
  const validated = (keys.data ?? []).filter((k) => k.state === 'validated');
  const [ckId, setCkId] = useState('');
  const ck = validated.find((k) => k.id === ckId) ?? validated[0];
  const rules = ck?.accessRules ?? [];

  const [filter, setFilter] = useState('');
  const [onlyAllowed, setOnlyAllowed] = useState(true);
  const [route, setRoute] = useState<CatalogueRoute>(ROUTE_CATALOGUE[0]);
  const [freeMethod, setFreeMethod] = useState<CatalogueRoute['method']>('GET');
  const [freePath, setFreePath] = useState('/me');
  const [rawBody, setRawBody] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<(ConsoleResult & { method: string; path: string }) | null>(null);

  useEffect(() => {
    if (!accountId && accounts.data?.length) setAccountId(accounts.data[0].id);
  }, [accounts.data]);

  const routes = useMemo(
    () =>
      ROUTE_CATALOGUE.map((r) => ({ route: r, allowed: routeAllowed(rules, r) })).filter(
        ({ route: r, allowed }) =>
          (!onlyAllowed || allowed) &&
          (!filter || `${r.method} ${r.path} ${r.summary}`.toLowerCase().includes(filter.toLowerCase())),
      ),
    [rules, filter, onlyAllowed],
  );

  const method = route === FREE ? freeMethod : route.method;
  const call = buildCall(route, values, freePath, rawBody);
  const pathOnly = call.path.split('?')[0];
  const granted = pathOnly.startsWith('/') && isCallGranted(rules, method, pathOnly);
  const spec: CallSpec = {
    method,
    endpoint: relayEndpointGuess(),
    path: call.path,
    body: call.body,
    token: '$OVH_BROKER_TOKEN',
  };

  const pick = (r: CatalogueRoute) => {
    setRoute(r);
    setResult(null);
    setError(null);
    const next: Record<string, string> = {};
    for (const p of r.params)
      if (p.example && p.in === 'path') next[`path.${p.name}`] = values[`path.${p.name}`] ?? p.example;
    setValues({ ...values, ...next });
  };

  async function execute(e: Event) {
    e.preventDefault();
    if (!ck || !accountId) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const session = await consoleSession(me, accountId, ck);
      const r = await executeThroughRelay(session, method, call.path, call.body);
      setResult({ ...r, method, path: call.path });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const accountOptions = (accounts.data ?? []).map((a) => ({ value: a.id, label: a.displayName }));

  return (
    <>
      <PageHeader
        title="API console"
        subtitle="Browse the routes an account's consumer key allows, fill in the parameters and execute them through the relay. Every call is audited under your name."
      />
      <Card>
        <div class="row">
          <div style={{ flex: '1 1 260px' }}>
            {accounts.data ? (
              <SelectField
                label="Account"
                value={accountId}
                onValue={(v) => {
                  setAccountId(v);
                  setCkId('');
                  setResult(null);
                  navigate(`/console?account=${encodeURIComponent(v)}`, { replace: true });
                }}
                options={accountOptions.length ? accountOptions : [{ value: '', label: 'No account' }]}
              />
            ) : (
              <Loading />
            )}
          </div>
          <div style={{ flex: '1 1 260px' }}>
            <SelectField
              label="Consumer key"
              value={ck?.id ?? ''}
              onValue={setCkId}
              options={
                validated.length
                  ? validated.map((k) => ({
                      value: k.id,
                      label: `${k.label || `Key ${k.id.slice(0, 8)}`} (${k.accessRules.length} rules)`,
                    }))
                  : [{ value: '', label: keys.loading ? 'Loading…' : 'No validated key' }]
              }
            />
          </div>
        </div>
        <ErrorBanner error={accounts.error ?? keys.error} />
        {accountId && !keys.loading && validated.length === 0 && (
          <p class="alert alert-warn" role="status">
            This account has no validated consumer key: the console needs one to call the API.
          </p>
        )}
      </Card>

      <div class="console">
        <Card title="Routes">
          <div class="field">
            <label for="route-filter">Filter</label>
            <input
              id="route-filter"
              type="search"
              value={filter}
              placeholder="/domain, record…"
              onInput={(e) => setFilter((e.currentTarget as HTMLInputElement).value)}
            />
          </div>
          <label class="check small" style={{ marginBottom: '0.5rem' }}>
            <input
              type="checkbox"
              checked={onlyAllowed}
              onChange={(e) => setOnlyAllowed((e.currentTarget as HTMLInputElement).checked)}
            />
            Only routes the key allows
          </label>
          <ul class="route-list" aria-label="API routes">
            <li>
              <button type="button" aria-pressed={route === FREE} onClick={() => pick(FREE)}>
                <span class="method">ANY</span>
                <span class="path">Free-form path…</span>
              </button>
            </li>
            {routes.map(({ route: r, allowed }) => (
              <li key={`${r.method} ${r.path}`} class={allowed ? '' : 'forbidden'}>
                <button type="button" aria-pressed={route === r} onClick={() => pick(r)} title={r.summary}>
                  <Method method={r.method} />
                  <span class="path">{r.path}</span>
                  {!allowed && <span class="sr-only"> (not allowed by the key's rules)</span>}
                </button>
              </li>
            ))}
            {routes.length === 0 && <Empty>No route matches.</Empty>}
          </ul>
          <p class="muted small">
            The emulator publishes no schema: these are the routes it supports. Use a free-form path for
            anything else.
          </p>
        </Card>

        <div>
          <Card title={route === FREE ? 'Free-form call' : route.summary}>
            <form onSubmit={execute} noValidate>
              {route === FREE ? (
                <div class="row">
                  <div class="field" style={{ width: '110px' }}>
                    <label for="free-method">Method</label>
                    <select
                      id="free-method"
                      value={freeMethod}
                      onChange={(e) =>
                        setFreeMethod(
                          (e.currentTarget as HTMLSelectElement).value as CatalogueRoute['method'],
                        )
                      }
                    >
                      {['GET', 'POST', 'PUT', 'DELETE'].map((m) => (
                        <option key={m}>{m}</option>
                      ))}
                    </select>
                  </div>
                  <div class="field" style={{ flex: 1 }}>
                    <label for="free-path">Path (with query string)</label>
                    <input
                      id="free-path"
                      class="mono"
                      value={freePath}
                      onInput={(e) => setFreePath((e.currentTarget as HTMLInputElement).value)}
                    />
                  </div>
                </div>
              ) : (
                <p style={{ marginTop: 0 }}>
                  <Method method={route.method} /> <code>{route.path}</code>
                </p>
              )}
              {route !== FREE &&
                route.params.map((p) => {
                  const id = `param-${p.in}-${p.name}`;
                  return (
                    <div class="field" key={id}>
                      <label for={id}>
                        {p.name}{' '}
                        <span class="muted small">
                          ({p.in}
                          {p.required ? ', required' : ''})
                        </span>
                      </label>
                      <input
                        id={id}
                        class="mono"
                        value={values[`${p.in}.${p.name}`] ?? ''}
                        placeholder={p.example ?? p.description ?? ''}
                        required={p.required}
                        onInput={(e) =>
                          setValues({
                            ...values,
                            [`${p.in}.${p.name}`]: (e.currentTarget as HTMLInputElement).value,
                          })
                        }
                      />
                      {p.description && <p class="hint">{p.description}</p>}
                    </div>
                  );
                })}
              {route === FREE && (freeMethod === 'POST' || freeMethod === 'PUT') && (
                <div class="field">
                  <label for="raw-body">JSON body</label>
                  <textarea
                    id="raw-body"
                    rows={5}
                    value={rawBody}
                    onInput={(e) => setRawBody((e.currentTarget as HTMLTextAreaElement).value)}
                  />
                </div>
              )}
              <div class="copy-field">
                <span class="copy-label">Request</span>
                <code class="mono">
                  {method} {call.path || '/'}
                </code>
              </div>
              {ck && call.path && !granted && (
                <p class="alert alert-warn" role="status">
                  The key's rules do not allow {method} {pathOnly}: the relay will refuse this call.
                </p>
              )}
              {call.missing.length > 0 && <p class="field-error">Fill in: {call.missing.join(', ')}</p>}
              <div class="form-actions" style={{ justifyContent: 'flex-start' }}>
                <Button
                  type="submit"
                  variant="primary"
                  busy={busy}
                  disabled={!ck || call.missing.length > 0 || !call.path.startsWith('/')}
                >
                  Execute
                </Button>
              </div>
            </form>
          </Card>

          <div aria-live="polite">
            {error !== null && <ErrorBanner error={error} title="The call could not be made" />}
            {result && (
              <Card title="Response">
                <div class="status-line">
                  <span class={`http-status http-${String(result.status)[0]}xx`}>
                    {result.status} {result.statusText}
                  </span>
                  <span class="muted small">
                    {result.method} {result.path} · {result.durationMs} ms
                  </span>
                  <span style={{ marginLeft: 'auto' }}>
                    <CopyButton text={result.body} what="response body" label="Copy body" />
                  </span>
                </div>
                <details>
                  <summary>Headers ({result.headers.length})</summary>
                  <table class="headers-table">
                    <tbody>
                      {result.headers.map(([k, v]) => (
                        <tr key={k}>
                          <td>{k}</td>
                          <td>{v}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </details>
                <pre class="code" aria-label="Response body" data-testid="console-response">
                  {result.json !== undefined
                    ? JSON.stringify(result.json, null, 2)
                    : result.body || '(empty body)'}
                </pre>
              </Card>
            )}
          </div>

          <Card title="The same call as code">
            <Tabs
              label="Code snippets"
              tabs={[
                {
                  id: 'curl',
                  label: 'curl',
                  content: <CopyableCode code={curlCall(spec)} what="curl command" />,
                },
                {
                  id: 'python',
                  label: 'Python',
                  content: <CopyableCode code={pythonCall(spec)} what="Python code" />,
                },
                {
                  id: 'node',
                  label: 'Node',
                  content: <CopyableCode code={nodeCall(spec)} what="Node code" />,
                },
              ]}
            />
            <p class="muted small">
              Use your own grant's credentials: the console's grant is for this browser session only.
            </p>
          </Card>
        </div>
      </div>
    </>
  );
}
