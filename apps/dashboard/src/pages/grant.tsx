import type { RouteProps } from '../app';
import { Accounts, Grants } from '../api/endpoints';
import { RuleList } from '../components/rules';
import { Card, DefinitionList, ErrorBanner, Loading, PageHeader, StateBadge } from '../components/ui';
import { formatDate, relativeTime } from '../lib/format';
import { useAsync } from '../lib/hooks';
import { Link } from '../lib/router';
import { Breadcrumbs, RevokeGrantButton } from './account';

export function GrantPage({ params, me }: RouteProps) {
  const { id: accountId, grantId } = params;
  const account = useAsync(() => Accounts.get(accountId), [accountId]);
  const grant = useAsync(() => Grants.get(accountId, grantId), [accountId, grantId]);
  if (grant.error) return <ErrorBanner error={grant.error} title="Could not load the grant" />;
  if (!grant.data) return <Loading />;
  const g = grant.data;
  return (
    <>
      <Breadcrumbs
        items={[
          ['Accounts', '/accounts'],
          [account.data?.displayName ?? 'Account', `/accounts/${accountId}`],
          [`Grant for ${g.holder?.name}`],
        ]}
      />
      <PageHeader
        title={`Grant for ${g.holder?.name}`}
        subtitle={
          <>
            <StateBadge state={g.status} /> · expires {relativeTime(g.expiresAt)}
          </>
        }
        actions={
          me.role !== 'auditor' &&
          g.status === 'active' && (
            <RevokeGrantButton accountId={accountId} grant={g} onDone={() => grant.reload()} />
          )
        }
      />
      <Card title="Details">
        <DefinitionList
          items={[
            ['Holder', `${g.holder?.name} (${g.holder?.type})`],
            ['Email', g.holder?.email ?? '—'],
            ['Purpose', g.description ?? '—'],
            [
              'Consumer key',
              <Link href={`/accounts/${accountId}/consumer-keys/${g.consumerKeyId}`}>
                {g.consumerKeyId.slice(0, 8)}
              </Link>,
            ],
            ['Application key', <code>{g.applicationKey}</code>],
            ['Bearer token', <code>{g.tokenHint}</code>],
            ['Allowed IPs', g.allowedIPs?.length ? g.allowedIPs.join(', ') : 'any'],
            ['Rate limit', `${g.rateLimitPerMinute} calls per minute`],
            ['Read-only', g.readOnly ? 'yes' : 'no'],
            ['Issued', formatDate(g.createdAt)],
            ['Expires', formatDate(g.expiresAt)],
            [
              'Revoked',
              g.revokedAt ? `${formatDate(g.revokedAt)}${g.revokeReason ? ` (${g.revokeReason})` : ''}` : '—',
            ],
          ]}
        />
      </Card>
      <Card title="Access rules">
        <RuleList rules={g.accessRules ?? []} />
      </Card>
      <p class="muted small">
        Its secrets were shown once, when it was issued. To give new credentials, issue a new grant and revoke
        this one.
      </p>
    </>
  );
}
