import { useMemo, useState } from 'preact/hooks';
import type { RouteProps } from '../app';
import { Accounts, Applications, ConsumerKeys } from '../api/endpoints';
import type { AccessRule } from '../api/types';
import { PresetPicker, RuleEditor, rulesProblems } from '../components/rule-editor';
import { Button, Card, ErrorBanner, Loading, PageHeader, SelectField, TextField } from '../components/ui';
import { notify } from '../lib/announce';
import { useAsync } from '../lib/hooks';
import { parseIpList } from '../lib/keys';
import { navigate } from '../lib/router';
import { Breadcrumbs } from './account';

export const VALIDITY_OPTIONS = [
  { value: '86400', label: '1 day' },
  { value: '604800', label: '7 days' },
  { value: '2592000', label: '30 days' },
  { value: '7776000', label: '90 days' },
  { value: '31536000', label: '1 year' },
  { value: 'unlimited', label: 'No limit (the customer chooses)' },
];

function dedupe(rules: AccessRule[]): AccessRule[] {
  const seen = new Set<string>();
  return rules.filter((r) => {
    const k = `${r.method} ${r.path}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function NewConsumerKeyPage({ params }: RouteProps) {
  const accountId = params.id;
  const account = useAsync(() => Accounts.get(accountId), [accountId]);
  const apps = useAsync(() => Applications.list(), []);
  const presets = useAsync(() => ConsumerKeys.presets().catch(() => []), []);
  const [applicationId, setApplicationId] = useState('');
  const [label, setLabel] = useState('');
  const [rules, setRules] = useState<AccessRule[]>([]);
  const [validity, setValidity] = useState('2592000');
  const [ips, setIps] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [tried, setTried] = useState(false);
  // One key per form: a double submit or a retry after a network error asks once upstream.
  const idempotencyKey = useMemo(() => crypto.randomUUID(), []);

  const activeApps = (apps.data ?? []).filter((a) => a.status !== 'disabled');
  const appId = applicationId || activeApps[0]?.id || '';
  const problems = rules.length === 0 ? ['Add at least one rule.'] : rulesProblems(rules);

  if (account.error) return <ErrorBanner error={account.error} title="Could not load the account" />;
  if (!account.data || !apps.data) return <Loading />;

  return (
    <>
      <Breadcrumbs
        items={[
          ['Accounts', '/accounts'],
          [account.data.displayName, `/accounts/${accountId}`],
          ['Request a consumer key'],
        ]}
      />
      <PageHeader
        title="Request a consumer key"
        subtitle={`For ${account.data.displayName}. The broker asks OVHcloud for the key, then the customer validates it with their own login.`}
      />
      <form
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          setTried(true);
          if (problems.length > 0 || !appId) return;
          setBusy(true);
          setError(null);
          try {
            const ck = await ConsumerKeys.request(
              accountId,
              {
                applicationId: appId,
                label: label.trim() || undefined,
                accessRules: dedupe(rules),
                validitySeconds: validity === 'unlimited' ? null : Number(validity),
                allowedIPs: parseIpList(ips).length ? parseIpList(ips) : null,
              },
              idempotencyKey,
            );
            notify('Consumer key requested: send the validation link to the customer');
            navigate(`/accounts/${accountId}/consumer-keys/${ck.id}`);
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Card>
          <ErrorBanner error={error} title="The request failed" />
          {activeApps.length === 0 && (
            <div class="alert alert-warn" role="alert">
              No application key is registered yet: an administrator must add one under Application keys.
            </div>
          )}
          <div class="grid-2">
            <SelectField
              label="Application"
              value={appId}
              onValue={setApplicationId}
              options={activeApps.map((a) => ({ value: a.id, label: `${a.label} (${a.endpoint})` }))}
              hint="The agency application the key is issued to."
            />
            <TextField
              label="Label"
              value={label}
              onValue={setLabel}
              name="label"
              hint="Optional, e.g. “DNS automation”."
            />
          </div>
        </Card>
        <Card title="Rights">
          <PresetPicker presets={presets.data ?? []} onApply={(r) => setRules(dedupe([...rules, ...r]))} />
          <RuleEditor rules={rules} onChange={setRules} />
          {tried && problems.length > 0 && (
            <div class="alert alert-error" role="alert">
              {problems.join(' ')}
            </div>
          )}
        </Card>
        <Card title="Policy">
          <div class="grid-2">
            <SelectField
              label="Validity"
              value={validity}
              onValue={setValidity}
              options={VALIDITY_OPTIONS}
              hint="The broker expires the key upstream when this runs out, whatever the customer picked."
            />
            <div class="field">
              <label for="allowed-ips">Allowed IPs</label>
              <textarea
                id="allowed-ips"
                rows={2}
                value={ips}
                aria-describedby="allowed-ips-hint"
                placeholder="203.0.113.0/24"
                onInput={(e) => setIps((e.currentTarget as HTMLTextAreaElement).value)}
              />
              <p class="hint" id="allowed-ips-hint">
                Optional IP blocks OVHcloud accepts this key from (the relay's egress addresses). One per
                line.
              </p>
            </div>
          </div>
        </Card>
        <div class="form-actions">
          <Button onClick={() => navigate(`/accounts/${accountId}`)}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy} disabled={!appId}>
            Request the key
          </Button>
        </div>
      </form>
    </>
  );
}
