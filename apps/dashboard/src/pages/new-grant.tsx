import { useMemo, useState } from 'preact/hooks';
import type { RouteProps } from '../app';
import { Accounts, ConsumerKeys, Grants } from '../api/endpoints';
import type { AccessRule, CreatedGrant } from '../api/types';
import { ruleContains } from '../../../../libs/ovh-protocol/src/access-rules';
import { GrantSecretsPanel } from '../components/grant-secrets';
import { RuleEditor } from '../components/rule-editor';
import { Method } from '../components/rules';
import { Button, Card, ErrorBanner, Loading, PageHeader, SelectField, TextField } from '../components/ui';
import { notify } from '../lib/announce';
import { useAsync } from '../lib/hooks';
import { parseIpList } from '../lib/keys';
import { location, navigate } from '../lib/router';
import { Breadcrumbs } from './account';

export const TTL_OPTIONS = [
  { value: '3600', label: '1 hour' },
  { value: '28800', label: '8 hours (a working day)' },
  { value: '86400', label: '1 day' },
  { value: '604800', label: '7 days' },
  { value: '2592000', label: '30 days' },
];

export function NewGrantPage({ params }: RouteProps) {
  const accountId = params.id;
  const account = useAsync(() => Accounts.get(accountId), [accountId]);
  const keys = useAsync(() => ConsumerKeys.list(accountId), [accountId]);
  const validated = (keys.data ?? []).filter((k) => k.state === 'validated');
  const [ckId, setCkId] = useState(location.get().query.get('consumerKey') ?? '');
  const ck = validated.find((k) => k.id === ckId) ?? validated[0];
  const [picked, setPicked] = useState<Set<string> | null>(null);
  const [extra, setExtra] = useState<AccessRule[]>([]);
  const [holderType, setHolderType] = useState<'person' | 'tool'>('person');
  const [holderName, setHolderName] = useState('');
  const [holderEmail, setHolderEmail] = useState('');
  const [description, setDescription] = useState('');
  const [ttl, setTtl] = useState('28800');
  const [ips, setIps] = useState('');
  const [rate, setRate] = useState('60');
  const [readOnly, setReadOnly] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<CreatedGrant | null>(null);

  const ckRules = ck?.accessRules ?? [];
  const selected = picked ?? new Set(ckRules.map((r) => `${r.method} ${r.path}`));
  const rules = useMemo(
    () => [...ckRules.filter((r) => selected.has(`${r.method} ${r.path}`)), ...extra],
    [ckRules, selected, extra],
  );
  const outside = extra.filter((r) => r.path && !ckRules.some((outer) => ruleContains(outer, r)));
  const effective = readOnly ? rules.filter((r) => r.method === 'GET') : rules;

  if (created) {
    return (
      <>
        <Breadcrumbs
          items={[
            ['Accounts', '/accounts'],
            [account.data?.displayName ?? 'Account', `/accounts/${accountId}`],
            ['Grant issued'],
          ]}
        />
        <PageHeader
          title="Grant issued"
          subtitle={`For ${created.grant.holder?.name}. Hand these credentials over through a safe channel.`}
        />
        <GrantSecretsPanel created={created} />
        <div class="form-actions">
          <Button
            variant="primary"
            onClick={() => navigate(`/accounts/${accountId}/grants/${created.grant.id}`)}
          >
            I have copied them: show the grant
          </Button>
        </div>
      </>
    );
  }

  if (account.error || keys.error) return <ErrorBanner error={account.error ?? keys.error} />;
  if (!account.data || !keys.data) return <Loading />;

  return (
    <>
      <Breadcrumbs
        items={[
          ['Accounts', '/accounts'],
          [account.data.displayName, `/accounts/${accountId}`],
          ['Issue a grant'],
        ]}
      />
      <PageHeader
        title="Issue a grant"
        subtitle="Scoped, short-lived access to this account through the relay, for one person or tool. Its rules are a subset of the consumer key's."
      />
      {validated.length === 0 ? (
        <div class="alert alert-warn" role="alert">
          This account has no validated consumer key. Request one and have the customer validate it first.
        </div>
      ) : (
        <form
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            if (!ck || effective.length === 0 || outside.length > 0 || !holderName.trim()) {
              setError(
                new Error(
                  !holderName.trim()
                    ? 'Name the holder.'
                    : 'Pick at least one rule within the consumer key’s rules.',
                ),
              );
              return;
            }
            setBusy(true);
            setError(null);
            try {
              const allowed = parseIpList(ips);
              const result = await Grants.create(accountId, {
                consumerKeyId: ck.id,
                holder: { type: holderType, name: holderName.trim(), email: holderEmail.trim() || null },
                description: description.trim() || null,
                accessRules: effective,
                ttlSeconds: Number(ttl),
                allowedIPs: allowed.length ? allowed : null,
                rateLimitPerMinute: Number(rate) || undefined,
                readOnly,
              });
              setCreated(result);
              notify('Grant issued: copy its credentials now, they are shown once');
            } catch (err) {
              setError(err);
            } finally {
              setBusy(false);
            }
          }}
        >
          <ErrorBanner error={error} title="The grant was not issued" />
          <Card title="Holder">
            <div class="grid-3">
              <SelectField
                label="Holder type"
                value={holderType}
                onValue={(v) => setHolderType(v as 'person' | 'tool')}
                options={[
                  { value: 'person', label: 'A person' },
                  { value: 'tool', label: 'A tool or script' },
                ]}
              />
              <TextField label="Name" value={holderName} onValue={setHolderName} required name="holderName" />
              <TextField
                label="Email"
                type="email"
                value={holderEmail}
                onValue={setHolderEmail}
                name="holderEmail"
                hint="Optional."
              />
            </div>
            <TextField
              label="Purpose"
              value={description}
              onValue={setDescription}
              name="description"
              hint="Optional, e.g. a ticket number."
            />
          </Card>
          <Card title="Rights">
            <SelectField
              label="Consumer key"
              value={ck?.id ?? ''}
              onValue={(v) => {
                setCkId(v);
                setPicked(null);
              }}
              options={validated.map((k) => ({
                value: k.id,
                label: `${k.label || `Key ${k.id.slice(0, 8)}`} (${k.accessRules.length} rules)`,
              }))}
            />
            <fieldset>
              <legend>Rules from the consumer key</legend>
              {ckRules.map((r) => {
                const key = `${r.method} ${r.path}`;
                return (
                  <label class="check" key={key}>
                    <input
                      type="checkbox"
                      checked={selected.has(key)}
                      onChange={(e) => {
                        const next = new Set(selected);
                        if ((e.currentTarget as HTMLInputElement).checked) next.add(key);
                        else next.delete(key);
                        setPicked(next);
                      }}
                    />
                    <Method method={r.method} /> <code>{r.path}</code>
                  </label>
                );
              })}
            </fieldset>
            <RuleEditor legend="Narrower rules (optional)" rules={extra} onChange={setExtra} />
            {outside.length > 0 && (
              <p class="field-error" role="alert">
                Not covered by the consumer key: {outside.map((r) => `${r.method} ${r.path}`).join(', ')}
              </p>
            )}
            <label class="check">
              <input
                type="checkbox"
                checked={readOnly}
                onChange={(e) => setReadOnly((e.currentTarget as HTMLInputElement).checked)}
              />
              Read-only (GET rules only)
            </label>
            <p class="hint">
              {effective.length} rule{effective.length === 1 ? '' : 's'} will be granted.
            </p>
          </Card>
          <Card title="Limits">
            <div class="grid-3">
              <SelectField label="Lifetime" value={ttl} onValue={setTtl} options={TTL_OPTIONS} />
              <TextField
                label="Rate limit (calls per minute)"
                type="number"
                value={rate}
                onValue={setRate}
                min={1}
                name="rateLimit"
              />
              <div class="field">
                <label for="grant-ips">Allowed IPs</label>
                <input
                  id="grant-ips"
                  value={ips}
                  placeholder="any"
                  aria-describedby="grant-ips-hint"
                  onInput={(e) => setIps((e.currentTarget as HTMLInputElement).value)}
                />
                <p class="hint" id="grant-ips-hint">
                  Addresses or CIDR blocks the holder calls the relay from, comma-separated.
                </p>
              </div>
            </div>
          </Card>
          <div class="form-actions">
            <Button onClick={() => navigate(`/accounts/${accountId}`)}>Cancel</Button>
            <Button type="submit" variant="primary" busy={busy}>
              Issue the grant
            </Button>
          </div>
        </form>
      )}
    </>
  );
}
