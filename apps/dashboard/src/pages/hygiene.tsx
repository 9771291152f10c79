import { useMemo, useState } from 'preact/hooks';
import type { RouteProps } from '../app';
import { ConsumerKeys, Hygiene } from '../api/endpoints';
import type { AccessRule, ConsumerKey, HygieneFinding, HygieneReport } from '../api/types';
import { DataTable, ExportButton } from '../components/data';
import { FormDialog } from '../components/forms';
import { RuleEditor, rulesProblems } from '../components/rule-editor';
import {
  Button,
  Card,
  Empty,
  ErrorBanner,
  Loading,
  PageHeader,
  SelectField,
  StateBadge,
  TextField,
} from '../components/ui';
import { notify } from '../lib/announce';
import { formatDate, plural } from '../lib/format';
import { type Async, useAsync } from '../lib/hooks';
import { parseIpList } from '../lib/keys';
import { Link, navigate } from '../lib/router';

const SEVERITY_ORDER = ['high', 'medium', 'low'] as const;

const KIND_LABELS: Record<string, string> = {
  grants_everything: 'grants everything',
  no_expiry: 'no expiry',
  never_used: 'never used',
  unused: 'unused',
  no_ip_restriction: 'no IP restriction',
  expiring_soon: 'expiring soon',
  application_many_keys: 'many keys on one application',
};

// The fixes the dashboard runs in one click: a narrower successor of the key.
const isReplaceFix = (f: HygieneFinding) =>
  Boolean(f.keyId && f.accountId && f.fix?.method === 'POST' && f.fix.path.endsWith('/replace'));

export function HygienePage({ me }: RouteProps) {
  const report = useAsync(() => Hygiene.report(), []);
  return (
    <>
      <PageHeader
        title="Credential hygiene"
        subtitle="Consumer keys that grant too much, never expire, sit unused or are open to any IP, across the accounts you see."
        actions={
          <ExportButton
            path={Hygiene.exportPath()}
            filename="credential-hygiene.csv"
            label="Export CSV"
            done="Exported the hygiene report as CSV"
          />
        }
      />
      <HygieneReportView report={report} canWrite={me.role !== 'auditor'} showAccount />
    </>
  );
}

// The report of one account, on its page.
export function HygieneCard(props: { accountId: string; canWrite: boolean; keysVersion?: ConsumerKey[] }) {
  const report = useAsync(() => Hygiene.report(props.accountId), [props.accountId, props.keysVersion]);
  return (
    <Card
      title="Credential hygiene"
      actions={
        <ExportButton
          path={Hygiene.exportPath(props.accountId)}
          filename="credential-hygiene.csv"
          label="Export CSV"
          done="Exported the hygiene report as CSV"
        />
      }
    >
      <HygieneReportView report={report} canWrite={props.canWrite} />
    </Card>
  );
}

function HygieneReportView(props: {
  report: Async<HygieneReport>;
  canWrite: boolean;
  showAccount?: boolean;
}) {
  const r = props.report.data;
  const [replacing, setReplacing] = useState<HygieneFinding | null>(null);
  const findings = useMemo(
    () =>
      [...(r?.findings ?? [])].sort(
        (a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity),
      ),
    [r],
  );
  if (props.report.error)
    return <ErrorBanner error={props.report.error} title="Could not build the report" />;
  if (!r) return <Loading />;
  const counts = SEVERITY_ORDER.map((s) => [s, r.summary.bySeverity[s] ?? 0] as const);
  return (
    <>
      <p class="small" aria-live="polite">
        {plural(r.keys, 'key')} checked{props.showAccount ? ` in ${plural(r.accounts, 'account')}` : ''}:{' '}
        {r.summary.total === 0 ? (
          'nothing to fix.'
        ) : (
          <span class="badges">
            {counts
              .filter(([, n]) => n > 0)
              .map(([s, n]) => (
                <StateBadge key={s} state={`severity-${s}`} label={`${n} ${s}`} />
              ))}
          </span>
        )}{' '}
        <span class="muted">as of {formatDate(r.generatedAt)}</span>
      </p>
      {findings.length === 0 ? (
        <Empty>No finding: every key is scoped, bounded in time and in use.</Empty>
      ) : (
        <DataTable
          caption="Findings, most severe first"
          rows={findings}
          rowKey={(f) => `${f.kind}:${f.keyId ?? f.applicationId}`}
          columns={[
            {
              header: 'Severity',
              cell: (f) => <StateBadge state={`severity-${f.severity}`} label={f.severity} />,
            },
            {
              header: 'Finding',
              cell: (f) => (
                <>
                  <strong>{KIND_LABELS[f.kind] ?? f.kind}</strong>
                  <div class="small">{f.message}</div>
                </>
              ),
            },
            ...(props.showAccount
              ? [
                  {
                    header: 'Account',
                    cell: (f: HygieneFinding) =>
                      f.accountId ? (
                        <Link href={`/accounts/${f.accountId}`}>{f.accountName ?? '—'}</Link>
                      ) : (
                        '—'
                      ),
                  },
                ]
              : []),
            {
              header: 'Key',
              cell: (f) =>
                f.keyId && f.accountId ? (
                  <Link href={`/accounts/${f.accountId}/consumer-keys/${f.keyId}`}>
                    {f.keyLabel ?? `Key ${f.keyId.slice(0, 8)}`}
                  </Link>
                ) : (
                  <span class="muted small">application-wide</span>
                ),
            },
            {
              header: 'Suggested fix',
              class: 'small',
              cell: (f) =>
                f.fix ? (
                  <>
                    {f.fix.description}
                    <div class="muted">
                      <code>
                        {f.fix.method} {f.fix.path.replace(/^\/api\/v1/, '')}
                      </code>
                    </div>
                  </>
                ) : (
                  'Review the keys of this application.'
                ),
            },
          ]}
          actions={(f) =>
            props.canWrite &&
            isReplaceFix(f) && (
              <Button small onClick={() => setReplacing(f)}>
                Replace with a narrower key
              </Button>
            )
          }
        />
      )}
      {replacing && (
        <ReplaceKeyDialog
          finding={replacing}
          onClose={() => setReplacing(null)}
          onDone={(successor) => {
            setReplacing(null);
            notify('Replacement requested: send its validation link to the customer');
            navigate(`/accounts/${successor.accountId}/consumer-keys/${successor.id}`);
          }}
        />
      )}
    </>
  );
}

const REPLACE_VALIDITY = [
  { value: 'keep', label: "Keep the current key's" },
  { value: '2592000', label: '30 days' },
  { value: '7776000', label: '90 days' },
  { value: '31536000', label: '1 year' },
];

// Prefilled with the fix's suggestion; the rules must fit inside the current key's.
function ReplaceKeyDialog(props: {
  finding: HygieneFinding;
  onClose: () => void;
  onDone: (successor: ConsumerKey) => void;
}) {
  const f = props.finding;
  const body = (f.fix?.body ?? {}) as {
    accessRules?: AccessRule[];
    validitySeconds?: number;
    allowedIPs?: string[];
  };
  const [rules, setRules] = useState<AccessRule[]>(body.accessRules ?? []);
  const [validity, setValidity] = useState(body.validitySeconds ? String(body.validitySeconds) : 'keep');
  const [ips, setIps] = useState('');
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const problems = rulesProblems(rules);
  return (
    <FormDialog
      wide
      title="Replace with a narrower key"
      onClose={props.onClose}
      errorTitle="The replacement was refused"
      submitLabel="Request the replacement"
      disabled={rules.length === 0 || problems.length > 0}
      onSubmit={async () => {
        const list = parseIpList(ips);
        props.onDone(
          await ConsumerKeys.replace(
            f.accountId as string,
            f.keyId as string,
            {
              accessRules: rules,
              ...(validity !== 'keep' ? { validitySeconds: Number(validity) } : {}),
              ...(list.length ? { allowedIPs: list } : {}),
            },
            idempotencyKey,
          ),
        );
      }}
    >
      <p class="muted small" style={{ marginTop: 0 }}>
        {f.fix?.description}. The successor waits for the customer's validation; “{f.keyLabel ?? 'this key'}”
        is revoked once they validate it, and its grants end with it.
      </p>
      <RuleEditor rules={rules} onChange={setRules} legend="Rules of the successor" />
      <div class="grid-2">
        <SelectField label="Validity" value={validity} onValue={setValidity} options={REPLACE_VALIDITY} />
        <TextField
          label="Allowed IPs"
          value={ips}
          onValue={setIps}
          name="allowedIPs"
          hint="The relay's egress addresses, comma-separated. Empty keeps the current key's."
        />
      </div>
    </FormDialog>
  );
}
