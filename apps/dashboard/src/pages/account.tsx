import { useState } from 'preact/hooks';
import type { RouteProps } from '../app';
import { Accounts, Applications, ConsumerKeys, Grants } from '../api/endpoints';
import type { Application, ConsumerKey, Grant } from '../api/types';
import { RuleList } from '../components/rules';
import {
  Button,
  Card,
  ConfirmButton,
  DefinitionList,
  Empty,
  ErrorBanner,
  Loading,
  PageHeader,
  StateBadge,
} from '../components/ui';
import { notify } from '../lib/announce';
import { formatDate, relativeTime } from '../lib/format';
import { useAsync, usePoll } from '../lib/hooks';
import { ckDisplayState, ckExpiry } from '../lib/keys';
import { Link, navigate } from '../lib/router';
import { AccountDialog, KeySummaryBadges } from './accounts';
import { summarise } from '../lib/keys';

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
  const canWrite = me.role !== 'auditor';

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
            <Button variant="primary" onClick={() => navigate(`/accounts/${a.id}/consumer-keys/new`)}>
              Request a consumer key
            </Button>
          )
        }
      >
        <ErrorBanner error={keys.error} title="Could not load the consumer keys" />
        {!keys.data ? (
          <Loading />
        ) : keys.data.length === 0 ? (
          <Empty>No consumer key yet. Request one: the customer validates it on OVHcloud's page.</Empty>
        ) : (
          <ConsumerKeyTable keys={keys.data} accountId={a.id} appLabel={appLabel} />
        )}
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
        <ErrorBanner error={grants.error} title="Could not load the grants" />
        {!grants.data ? (
          <Loading />
        ) : grants.data.length === 0 ? (
          <Empty>
            No grant yet. A grant gives one person or tool scoped, short-lived access through the relay.
          </Empty>
        ) : (
          <GrantTable
            grants={grants.data}
            accountId={a.id}
            canWrite={canWrite}
            onChanged={() => grants.reload()}
          />
        )}
      </Card>

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

export function ConsumerKeyTable(props: {
  keys: ConsumerKey[];
  accountId: string;
  appLabel: (id: string) => string;
}) {
  return (
    <div class="table-wrap">
      <table class="data">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">State</th>
            <th scope="col">Rules</th>
            <th scope="col">Application</th>
            <th scope="col">Expires</th>
          </tr>
        </thead>
        <tbody>
          {props.keys.map((k) => {
            const exp = ckExpiry(k);
            return (
              <tr key={k.id}>
                <td>
                  <Link href={`/accounts/${props.accountId}/consumer-keys/${k.id}`}>
                    {k.label || `Key ${k.id.slice(0, 8)}`}
                  </Link>
                  <div class="muted small">requested {relativeTime(k.requestedAt ?? k.createdAt)}</div>
                </td>
                <td>
                  <StateBadge state={ckDisplayState(k)} />
                </td>
                <td>
                  <RuleList rules={k.accessRules ?? []} max={3} />
                </td>
                <td>{props.appLabel(k.applicationId)}</td>
                <td title={formatDate(exp)}>
                  {exp ? relativeTime(exp) : k.state === 'validated' ? 'never' : '—'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function GrantTable(props: {
  grants: Grant[];
  accountId: string;
  canWrite: boolean;
  onChanged: () => void;
}) {
  return (
    <div class="table-wrap">
      <table class="data">
        <thead>
          <tr>
            <th scope="col">Holder</th>
            <th scope="col">Status</th>
            <th scope="col">Rules</th>
            <th scope="col">Token</th>
            <th scope="col">Expires</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.grants.map((g) => (
            <tr key={g.id}>
              <td>
                <Link href={`/accounts/${props.accountId}/grants/${g.id}`}>
                  {g.holder?.name ?? g.id.slice(0, 8)}
                </Link>
                <div class="muted small">
                  {g.holder?.type}
                  {g.holder?.email ? ` · ${g.holder.email}` : ''}
                </div>
              </td>
              <td>
                <StateBadge state={g.status} />
              </td>
              <td>
                <RuleList rules={g.accessRules ?? []} max={3} />
              </td>
              <td>
                <code>{g.tokenHint}</code>
              </td>
              <td title={formatDate(g.expiresAt)}>{relativeTime(g.expiresAt)}</td>
              <td>
                {props.canWrite && g.status === 'active' && (
                  <RevokeGrantButton accountId={props.accountId} grant={g} onDone={props.onChanged} small />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
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
