import { useEffect, useRef, useState } from 'preact/hooks';
import type { RouteProps } from '../app';
import { ApiError, errorMessage } from '../api/client';
import { Accounts, Applications, ConsumerKeys, Grants } from '../api/endpoints';
import type { Application, Grant } from '../api/types';
import { QrCode } from '../components/qr';
import { RuleList } from '../components/rules';
import {
  Button,
  Card,
  ConfirmButton,
  CopyField,
  DefinitionList,
  Empty,
  ErrorBanner,
  Loading,
  PageHeader,
  StateBadge,
} from '../components/ui';
import { notify } from '../lib/announce';
import { formatDate, formatDuration, relativeTime } from '../lib/format';
import { useAsync, usePoll } from '../lib/hooks';
import { ckDisplayState, ckExpiry } from '../lib/keys';
import { navigate } from '../lib/router';
import { Breadcrumbs, GrantTable } from './account';

const LIVE = ['requesting', 'pendingValidation', 'revocationPending'];

export function ConsumerKeyPage({ params, me }: RouteProps) {
  const { id: accountId, ckId } = params;
  const account = useAsync(() => Accounts.get(accountId), [accountId]);
  const ck = useAsync(() => ConsumerKeys.get(accountId, ckId), [accountId, ckId]);
  const apps = useAsync(() => Applications.list().catch(() => [] as Application[]), []);
  const grants = useAsync(
    () =>
      Grants.list(accountId)
        .then((l) => l.filter((g) => g.consumerKeyId === ckId))
        .catch(() => [] as Grant[]),
    [accountId, ckId],
  );
  const lastState = useRef<string | null>(null);
  const canWrite = me.role !== 'auditor';
  const live = Boolean(ck.data && LIVE.includes(ck.data.state));

  // Live state: poll while the customer has not answered yet, and say so when it changes.
  // Live state: the callback usually moves the key on; a sync every fifth tick
  // catches a customer whose browser never came back to the broker.
  const ticks = useRef(0);
  usePoll(
    async () => {
      ticks.current++;
      const next =
        ticks.current % 5 === 0 && ck.data?.state === 'pendingValidation'
          ? await ConsumerKeys.sync(accountId, ckId).catch(() => ConsumerKeys.get(accountId, ckId))
          : await ConsumerKeys.get(accountId, ckId);
      ck.setData(next);
    },
    3000,
    live,
  );
  const [checking, setChecking] = useState(false);
  const state = ck.data?.state;
  useEffect(() => {
    if (state && lastState.current && lastState.current !== state) {
      notify(
        state === 'validated' ? 'The customer validated the key' : `The key is now ${state}`,
        state === 'validated' ? 'success' : 'info',
      );
    }
    if (state) lastState.current = state;
  }, [state]);

  if (ck.error) return <ErrorBanner error={ck.error} title="Could not load the consumer key" />;
  if (!ck.data) return <Loading />;
  const k = ck.data;
  const app = apps.data?.find((a) => a.id === k.applicationId);
  const exp = ckExpiry(k);
  const displayState = ckDisplayState(k);
  const title = k.label || `Consumer key ${k.id.slice(0, 8)}`;

  return (
    <>
      <Breadcrumbs
        items={[
          ['Accounts', '/accounts'],
          [account.data?.displayName ?? 'Account', `/accounts/${accountId}`],
          [title],
        ]}
      />
      <PageHeader
        title={title}
        subtitle={
          <span aria-live="polite">
            State: <StateBadge state={displayState} />
            {live && <span class="muted small"> · checking every few seconds</span>}
          </span>
        }
        actions={
          canWrite && (
            <>
              {k.state === 'validated' && (
                <Button
                  variant="primary"
                  onClick={() => navigate(`/accounts/${accountId}/grants/new?consumerKey=${k.id}`)}
                >
                  Issue a grant
                </Button>
              )}
              {['validated', 'expired', 'revoked', 'refused', 'abandoned', 'requestFailed'].includes(
                k.state,
              ) && (
                <ConfirmButton
                  variant="secondary"
                  label="Renew"
                  confirmTitle="Renew this consumer key?"
                  confirmText={
                    <p>
                      The broker requests a new key with the same rules and policy. The customer validates it
                      again; once they have, the old key is revoked.
                    </p>
                  }
                  confirmLabel="Request the renewal"
                  onConfirm={async () => {
                    const next = await ConsumerKeys.renew(accountId, k.id, crypto.randomUUID());
                    notify('Renewal requested: send the new validation link to the customer');
                    navigate(`/accounts/${accountId}/consumer-keys/${next.id}`);
                  }}
                />
              )}
              {['validated', 'pendingValidation', 'revocationPending'].includes(k.state) && (
                <ConfirmButton
                  label="Revoke"
                  confirmTitle="Revoke this consumer key?"
                  confirmText={
                    <p>
                      The broker logs the key out at OVHcloud and every grant made from it stops working. This
                      cannot be undone.
                    </p>
                  }
                  confirmLabel="Revoke the key"
                  onConfirm={async () => {
                    ck.setData(await ConsumerKeys.revoke(accountId, k.id));
                    notify('Consumer key revoked');
                    void grants.reload();
                  }}
                />
              )}
            </>
          )
        }
      />

      {k.state === 'pendingValidation' && k.validationUrl && (
        <Card title="Validation link" class="validation-card">
          <div class="row" style={{ alignItems: 'flex-start', flexWrap: 'nowrap', gap: '1.25rem' }}>
            <QrCode text={k.validationUrl} label="QR code of the validation link" size={150} />
            <div style={{ flex: 1, minWidth: 0 }}>
              <p style={{ marginTop: 0 }}>
                Send this link to the customer. They sign in to OVHcloud, review the rights below and
                authorize the application. This page updates by itself when they do.
              </p>
              <CopyField label="Validation URL" value={k.validationUrl} what="validation link" />
              <div class="actions">
                <a class="btn btn-small" href={k.validationUrl} target="_blank" rel="noopener noreferrer">
                  Open the validation page
                </a>
                <Button
                  small
                  busy={checking}
                  onClick={async () => {
                    setChecking(true);
                    try {
                      ck.setData(await ConsumerKeys.sync(accountId, k.id));
                    } catch (e) {
                      notify(errorMessage(e), 'error');
                    } finally {
                      setChecking(false);
                    }
                  }}
                >
                  Check now
                </Button>
              </div>
            </div>
          </div>
        </Card>
      )}
      {k.lastError && (
        <div class="alert alert-warn" role="status">
          Last upstream error: {k.lastError}
        </div>
      )}

      <Card title="Details">
        <DefinitionList
          items={[
            ['Application', app ? `${app.label} (${app.appKey})` : k.applicationId],
            ['OVHcloud account', k.nichandle ? <code>{k.nichandle}</code> : '—'],
            ['Validity policy', formatDuration(k.validitySeconds)],
            ['Allowed IPs', k.allowedIPs?.length ? k.allowedIPs.join(', ') : 'any'],
            ['Requested', formatDate(k.requestedAt ?? k.createdAt)],
            ['Validated', formatDate(k.validatedAt)],
            [
              'Expires',
              exp ? `${formatDate(exp)} (${relativeTime(exp)})` : k.state === 'validated' ? 'never' : '—',
            ],
            ['Last used', formatDate(k.lastUseAt)],
            ['Revoked', formatDate(k.revokedAt)],
          ]}
        />
      </Card>
      <Card title="Access rules">
        <RuleList rules={k.accessRules ?? []} />
      </Card>
      <Card title="Grants from this key">
        <ErrorBanner error={grants.error} />
        {!grants.data ? (
          <Loading />
        ) : grants.data.length === 0 ? (
          <Empty>No grant made from this key.</Empty>
        ) : (
          <GrantTable
            grants={grants.data}
            accountId={accountId}
            canWrite={canWrite}
            onChanged={() => grants.reload()}
          />
        )}
      </Card>
    </>
  );
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404;
}
