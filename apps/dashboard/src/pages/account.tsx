import { useState } from 'preact/hooks';
import type { RouteProps } from '../app';
import { Accounts, Applications, ConsumerKeys, Grants, Operators } from '../api/endpoints';
import type { Account, Application, ConsumerKey, Grant, Operator } from '../api/types';
import { DataTable, ResourceList } from '../components/data';
import { CheckList, FormDialog } from '../components/forms';
import { RuleList } from '../components/rules';
import {
  Button,
  Card,
  ConfirmButton,
  DefinitionList,
  ErrorBanner,
  Loading,
  PageHeader,
  StateBadge,
} from '../components/ui';
import { notify } from '../lib/announce';
import { formatDate, relativeTime } from '../lib/format';
import { useAsync, usePoll } from '../lib/hooks';
import { ckDisplayState, ckExpiry, summarise } from '../lib/keys';
import { Link, navigate } from '../lib/router';
import { AccountDialog, KeySummaryBadges } from './accounts';
import { HygieneCard } from './hygiene';
import { ImportKeyDialog } from './import-key';

export function Breadcrumbs(props: { items: [string, string?][] }) {
  return (
    <nav class="breadcrumbs" aria-label="Breadcrumb">
      {props.items.map(([label, href], i) => (
        <span key={label}>
          {i > 0 && ' / '}
          {href ? <Link href={href}>{label}</Link> : <span aria-current="page">{label}</span>}
        </span>
      ))}
    </nav>
  );
}

export function AccountPage({ params, me }: RouteProps) {
  const accountId = params.id;
  const account = useAsync(() => Accounts.get(accountId), [accountId]);
  const keys = useAsync(() => ConsumerKeys.list(accountId), [accountId]);
  const grants = useAsync(() => Grants.list(accountId).catch(() => [] as Grant[]), [accountId]);
  const apps = useAsync(() => Applications.list().catch(() => [] as Application[]), []);
  const [editing, setEditing] = useState(false);
  const [importing, setImporting] = useState(false);
  const canWrite = me.role !== 'auditor';
  const isAdmin = me.role === 'admin';

  // Keys waiting for the customer change state on their own: keep the table live.
  const pending = (keys.data ?? []).some((k) => k.state === 'pendingValidation' || k.state === 'requesting');
  usePoll(() => keys.reload(), 5000, pending);

  if (account.error) return <ErrorBanner error={account.error} title="Could not load the account" />;
  if (!account.data) return <Loading />;
  const a = account.data;
  const appLabel = (id: string) => apps.data?.find((x) => x.id === id)?.label ?? id.slice(0, 8);
  const usable = (keys.data ?? []).filter((k) => k.state === 'validated');

  return (
    <>
      <Breadcrumbs items={[['Accounts', '/accounts'], [a.displayName]]} />
      <PageHeader
        title={a.displayName}
        subtitle={
          a.nichandle ? (
            <>
              OVHcloud account <code>{a.nichandle}</code>
            </>
          ) : (
            'OVHcloud account not known yet: it is learnt when a consumer key is validated.'
          )
        }
        actions={
          <>
            {usable.length > 0 && (
              <Button onClick={() => navigate(`/console?account=${encodeURIComponent(a.id)}`)}>
                Open in console
              </Button>
            )}
            {me.role === 'admin' && <Button onClick={() => setEditing(true)}>Edit</Button>}
          </>
        }
      />
      <Card title="Details">
        <DefinitionList
          items={[
            ['Contact', a.contactName ?? '—'],
            ['Contact email', a.contactEmail ?? '—'],
            ['Tags', a.tags?.length ? a.tags.join(', ') : '—'],
            ['Keys', <KeySummaryBadges summary={keys.data ? summarise(keys.data) : null} />],
            ['Created', formatDate(a.createdAt)],
            ['Notes', a.notes ?? '—'],
          ]}
        />
      </Card>

      <Card
        title="Consumer keys"
        actions={
          canWrite && (
            <>
              <Button onClick={() => setImporting(true)}>Import a key</Button>
              <Button variant="primary" onClick={() => navigate(`/accounts/${a.id}/consumer-keys/new`)}>
                Request a consumer key
              </Button>
            </>
          )
        }
      >
        <ResourceList
          resource={keys}
          errorTitle="Could not load the consumer keys"
          empty="No consumer key yet. Request one: the customer validates it on OVHcloud's page, or import an existing one."
        >
          {(rows) => <ConsumerKeyTable keys={rows} accountId={a.id} appLabel={appLabel} />}
        </ResourceList>
      </Card>

      <Card
        title="Grants"
        actions={
          canWrite && (
            <Button
              variant="primary"
              disabled={usable.length === 0}
              title={usable.length === 0 ? 'A validated consumer key is needed first' : undefined}
              onClick={() => navigate(`/accounts/${a.id}/grants/new`)}
            >
              Issue a grant
            </Button>
          )
        }
      >
        <ResourceList
          resource={grants}
          errorTitle="Could not load the grants"
          empty="No grant yet. A grant gives one person or tool scoped, short-lived access through the relay."
        >
          {(rows) => (
            <GrantTable
              grants={rows}
              accountId={a.id}
              canWrite={canWrite}
              onChanged={() => grants.reload()}
            />
          )}
        </ResourceList>
      </Card>

      <HygieneCard accountId={a.id} canWrite={canWrite} keysVersion={keys.data} />

      {isAdmin && <AssignedOperatorsCard account={a} onSaved={(saved) => account.setData(saved)} />}

      {importing && (
        <ImportKeyDialog
          accountId={a.id}
          onClose={() => setImporting(false)}
          onImported={(ck) => {
            setImporting(false);
            notify(
              `Key “${ck.label ?? ck.id.slice(0, 8)}” imported${ck.applicationRegistered ? ' (application registered)' : ''}`,
            );
            void keys.reload();
          }}
        />
      )}

      {editing && (
        <AccountDialog
          open
          account={a}
          onClose={() => setEditing(false)}
          onSaved={(saved) => {
            setEditing(false);
            account.setData(saved);
            notify('Account saved');
          }}
        />
      )}
    </>
  );
}

// Admins pick the operators who work on this account (operators see only their accounts).
function AssignedOperatorsCard(props: { account: Account; onSaved: (a: Account) => void }) {
  const ops = useAsync(() => Operators.list(), []);
  const [editing, setEditing] = useState(false);
  const assigned = (ops.data ?? []).filter((o) => props.account.operatorIds?.includes(o.id));
  return (
    <Card
      title="Assigned operators"
      actions={
        <Button onClick={() => setEditing(true)} disabled={!ops.data}>
          Assign operators
        </Button>
      }
    >
      <p class="muted small" style={{ marginTop: 0 }}>
        Operators work only on the accounts assigned to them; admins and auditors see every account.
      </p>
      <ResourceList
        resource={ops}
        items={assigned}
        errorTitle="Could not load the operators"
        empty="No operator is assigned: only admins can work on this account."
      >
        {(rows) => (
          <ul class="plain-list" aria-label="Assigned operators">
            {rows.map((o) => (
              <li key={o.id}>
                {o.displayName} <span class="muted small">{o.email}</span> <StateBadge state={o.role} />
                {o.status === 'disabled' && <StateBadge state="disabled" />}
              </li>
            ))}
          </ul>
        )}
      </ResourceList>
      {editing && ops.data && (
        <AssignOperatorsDialog
          account={props.account}
          operators={ops.data}
          onClose={() => setEditing(false)}
          onSaved={(saved) => {
            setEditing(false);
            props.onSaved(saved);
            notify('Assigned operators saved');
          }}
        />
      )}
    </Card>
  );
}

function AssignOperatorsDialog(props: {
  account: Account;
  operators: Operator[];
  onClose: () => void;
  onSaved: (a: Account) => void;
}) {
  const [picked, setPicked] = useState<string[]>(props.account.operatorIds ?? []);
  // Admins and auditors see everything anyway: the choice matters for operators.
  const candidates = props.operators.filter((o) => o.role === 'operator' || picked.includes(o.id));
  return (
    <FormDialog
      title={`Operators of ${props.account.displayName}`}
      onClose={props.onClose}
      errorTitle="Could not save the assignment"
      submitLabel="Save"
      onSubmit={async () => props.onSaved(await Accounts.setOperators(props.account.id, picked))}
    >
      {candidates.length === 0 ? (
        <p class="empty">No operator with the “operator” role yet: add one on the Operators page.</p>
      ) : (
        <CheckList
          legend="Operators who work on this account"
          options={candidates.map((o) => ({
            value: o.id,
            label: (
              <>
                {o.displayName} <span class="muted small">{o.email}</span>
                {o.status === 'disabled' && ' (disabled)'}
              </>
            ),
          }))}
          picked={picked}
          onChange={setPicked}
        />
      )}
    </FormDialog>
  );
}

export function ConsumerKeyTable(props: {
  keys: ConsumerKey[];
  accountId: string;
  appLabel: (id: string) => string;
}) {
  return (
    <DataTable
      caption="Consumer keys"
      rows={props.keys}
      rowKey={(k) => k.id}
      columns={[
        {
          header: 'Key',
          cell: (k) => (
            <>
              <Link href={`/accounts/${props.accountId}/consumer-keys/${k.id}`}>
                {k.label || `Key ${k.id.slice(0, 8)}`}
              </Link>
              <div class="muted small">
                {k.origin === 'imported' ? 'imported' : 'requested'}{' '}
                {relativeTime(k.requestedAt ?? k.createdAt)}
              </div>
            </>
          ),
        },
        { header: 'State', cell: (k) => <StateBadge state={ckDisplayState(k)} /> },
        { header: 'Rules', cell: (k) => <RuleList rules={k.accessRules ?? []} max={3} /> },
        { header: 'Application', cell: (k) => props.appLabel(k.applicationId) },
        {
          header: 'Expires',
          title: (k) => formatDate(ckExpiry(k)),
          cell: (k) => {
            const exp = ckExpiry(k);
            return exp ? relativeTime(exp) : k.state === 'validated' ? 'never' : '—';
          },
        },
      ]}
    />
  );
}

export function GrantTable(props: {
  grants: Grant[];
  accountId: string;
  canWrite: boolean;
  onChanged: () => void;
}) {
  return (
    <DataTable
      rows={props.grants}
      rowKey={(g) => g.id}
      columns={[
        {
          header: 'Holder',
          cell: (g) => (
            <>
              <Link href={`/accounts/${props.accountId}/grants/${g.id}`}>
                {g.holder?.name ?? g.id.slice(0, 8)}
              </Link>
              <div class="muted small">
                {g.holder?.type}
                {g.holder?.email ? ` · ${g.holder.email}` : ''}
              </div>
            </>
          ),
        },
        { header: 'Status', cell: (g) => <StateBadge state={g.status} /> },
        { header: 'Rules', cell: (g) => <RuleList rules={g.accessRules ?? []} max={3} /> },
        { header: 'Token', cell: (g) => <code>{g.tokenHint}</code> },
        { header: 'Expires', title: (g) => formatDate(g.expiresAt), cell: (g) => relativeTime(g.expiresAt) },
      ]}
      actions={(g) =>
        props.canWrite &&
        g.status === 'active' && (
          <RevokeGrantButton accountId={props.accountId} grant={g} onDone={props.onChanged} small />
        )
      }
    />
  );
}

export function RevokeGrantButton(props: {
  accountId: string;
  grant: Grant;
  onDone: () => void;
  small?: boolean;
}) {
  return (
    <ConfirmButton
      label="Revoke"
      small={props.small}
      confirmTitle="Revoke this grant?"
      confirmText={
        <p>
          {props.grant.holder?.name} loses access at once, on every relay instance. This cannot be undone:
          issue a new grant if access is needed again.
        </p>
      }
      confirmLabel="Revoke grant"
      onConfirm={async () => {
        await Grants.revoke(props.accountId, props.grant.id);
        notify(`Grant of ${props.grant.holder?.name ?? 'holder'} revoked`);
        props.onDone();
      }}
    />
  );
}
