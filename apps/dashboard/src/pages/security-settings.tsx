import { useState } from 'preact/hooks';
import type { RouteProps } from '../app';
import { GrantSettingsApi, SecuritySettings, Vault } from '../api/endpoints';
import type { RotationJob, VaultStatus } from '../api/types';
import { DataTable } from '../components/data';
import { SubmitForm } from '../components/forms';
import {
  Card,
  ConfirmButton,
  DefinitionList,
  ErrorBanner,
  Loading,
  PageHeader,
  SelectField,
  StateBadge,
} from '../components/ui';
import { notify } from '../lib/announce';
import { formatDate, formatDuration } from '../lib/format';
import { useAsync, usePoll } from '../lib/hooks';

const MAX_TTL_OPTIONS = [
  { value: '3600', label: '1 hour' },
  { value: '28800', label: '8 hours' },
  { value: '86400', label: '1 day' },
  { value: '604800', label: '7 days' },
  { value: '2592000', label: '30 days' },
  { value: '7776000', label: '90 days' },
  { value: '31536000', label: '1 year' },
];

export function SecuritySettingsPage(_props: RouteProps) {
  return (
    <>
      <PageHeader
        title="Security"
        subtitle="Sign-in policy, grant lifetimes and the state of the key vault."
      />
      <SignInPolicyCard />
      <GrantLifetimeCard />
      <VaultCard />
    </>
  );
}

function SignInPolicyCard() {
  const settings = useAsync(() => SecuritySettings.get(), []);
  const [require2fa, setRequire2fa] = useState<boolean | null>(null);
  return (
    <Card title="Sign-in policy">
      <ErrorBanner error={settings.error} />
      {!settings.data ? (
        <Loading />
      ) : (
        <SubmitForm
          submitLabel="Save"
          onSubmit={async () => {
            settings.setData(
              await SecuritySettings.update({ require2fa: require2fa ?? settings.data!.require2fa }),
            );
            notify('Security settings saved');
          }}
        >
          <label class="check">
            <input
              type="checkbox"
              name="require2fa"
              checked={require2fa ?? settings.data.require2fa}
              onChange={(e) => setRequire2fa((e.currentTarget as HTMLInputElement).checked)}
            />
            Require two-factor authentication for every operator
          </label>
          <p class="hint">Operators without a second factor can then only enrol one after signing in.</p>
        </SubmitForm>
      )}
    </Card>
  );
}

// The longest lifetime a grant may be issued with (GRANT_MAX_TTL_SECONDS until an admin sets it).
function GrantLifetimeCard() {
  const settings = useAsync(() => GrantSettingsApi.get(), []);
  const [value, setValue] = useState<string | null>(null);
  const current = settings.data ? String(settings.data.maxTtlSeconds) : '';
  const options = MAX_TTL_OPTIONS.some((o) => o.value === current)
    ? MAX_TTL_OPTIONS
    : [...MAX_TTL_OPTIONS, { value: current, label: formatDuration(Number(current)) }];
  return (
    <Card title="Grant lifetime">
      <ErrorBanner error={settings.error} />
      {!settings.data ? (
        <Loading />
      ) : (
        <SubmitForm
          submitLabel="Save"
          errorTitle="Could not save the grant lifetime"
          onSubmit={async () => {
            settings.setData(await GrantSettingsApi.update(Number(value ?? current)));
            setValue(null);
            notify('Grant lifetime saved');
          }}
        >
          <SelectField
            label="Longest lifetime of a grant"
            value={value ?? current}
            onValue={setValue}
            options={options}
            hint={
              settings.data.source === 'environment'
                ? 'Currently the default from the GRANT_MAX_TTL_SECONDS setting. Grants already issued keep their expiry.'
                : 'Set here by an admin. Grants already issued keep their expiry.'
            }
          />
        </SubmitForm>
      )}
    </Card>
  );
}

function VaultCard() {
  const vault = useAsync(() => Vault.status(), []);
  const running = vault.data?.lastRotation?.status === 'running';
  usePoll(() => vault.reload(), 1500, running);
  const [reencrypt, setReencrypt] = useState(false);
  const v = vault.data;
  return (
    <Card
      title="Vault"
      actions={
        v && (
          <ConfirmButton
            variant="primary"
            label="Rotate"
            disabled={running || v.sealed}
            confirmTitle="Rotate the vault keys?"
            confirmLabel="Start the rotation"
            confirmText={
              <>
                <p>
                  Every data key is re-wrapped under the active master key <code>{v.activeMasterKeyId}</code>,
                  in batches; the broker keeps serving meanwhile.
                </p>
                <label class="check">
                  <input
                    type="checkbox"
                    checked={reencrypt}
                    onChange={(e) => setReencrypt((e.currentTarget as HTMLInputElement).checked)}
                  />
                  Also re-encrypt every secret under a fresh data key (slower; retires the old data keys)
                </label>
              </>
            }
            onConfirm={async () => {
              await Vault.rotate({ reencrypt });
              notify('Vault rotation started');
              await vault.reload();
            }}
          />
        )
      }
    >
      <ErrorBanner error={vault.error} title="Vault status unavailable" />
      {!v ? vault.error ? null : <Loading /> : <VaultStatusView status={v} />}
    </Card>
  );
}

function VaultStatusView({ status: v }: { status: VaultStatus }) {
  return (
    <div class="stack">
      <DefinitionList
        items={[
          [
            'State',
            v.sealed ? (
              <StateBadge state="failed" label={`sealed: ${v.sealedReason ?? 'unknown'}`} />
            ) : (
              <StateBadge state="active" label="unsealed" />
            ),
          ],
          ['Active master key', v.activeMasterKeyId ? <code>{v.activeMasterKeyId}</code> : '—'],
          ['Master keys from', v.masterKeySource ?? '—'],
        ]}
      />
      <h3>Master keys</h3>
      <DataTable
        caption="Master keys and what they protect"
        rows={v.masterKeys}
        rowKey={(m) => m.id}
        columns={[
          { header: 'Master key', cell: (m) => <code>{m.id}</code> },
          {
            header: 'State',
            cell: (m) => (
              <span class="badges">
                {m.active && <StateBadge state="active" />}
                {!m.configured && <StateBadge state="failed" label="not configured" />}
                {m.canRetire && <StateBadge state="none" label="can be retired" />}
              </span>
            ),
          },
          { header: 'Data keys', cell: (m) => m.dataKeys },
          { header: 'Secrets protected', cell: (m) => m.sealedValues },
        ]}
      />
      <h3>Data keys</h3>
      <DataTable
        caption="Data keys"
        rows={v.dataKeys}
        rowKey={(d) => d.id}
        columns={[
          { header: 'Data key', cell: (d) => <code>{d.id.slice(0, 8)}</code> },
          { header: 'Wrapped by', cell: (d) => <code>{d.masterKeyId}</code> },
          {
            header: 'State',
            cell: (d) => (
              <StateBadge
                state={d.retired ? 'disabled' : d.active ? 'active' : 'none'}
                label={d.retired ? 'retired' : d.active ? 'active' : 'readable'}
              />
            ),
          },
          { header: 'Secrets', cell: (d) => d.sealedValues },
          { header: 'Created', cell: (d) => formatDate(d.createdAt) },
        ]}
      />
      <h3>Encrypted columns</h3>
      <DataTable
        caption="Encrypted columns"
        rows={v.columns.filter((c) => c.present)}
        rowKey={(c) => `${c.table}.${c.column}`}
        columns={[
          { header: 'Column', cell: (c) => <code>{`${c.table}.${c.column}`}</code> },
          { header: 'Secrets', cell: (c) => c.sealedValues },
        ]}
      />
      <h3>Last rotation</h3>
      {v.lastRotation ? <RotationProgress job={v.lastRotation} /> : <p class="muted">No rotation yet.</p>}
    </div>
  );
}

function RotationProgress({ job }: { job: RotationJob }) {
  const columns = Object.entries(job.columns ?? {});
  const done = columns.filter(([, c]) => c?.done).length;
  return (
    <div aria-live="polite" data-testid="vault-rotation">
      <DefinitionList
        items={[
          ['Status', <StateBadge state={job.status} />],
          ['Target master key', <code>{job.targetMasterKeyId}</code>],
          ['Re-encrypt', job.reencrypt ? 'yes' : 'no (re-wrap only)'],
          [
            'Progress',
            `${job.rewrapped} data keys re-wrapped, ${job.resealed} secrets re-encrypted, ${job.batches} batches`,
          ],
          ...(columns.length
            ? ([['Columns done', `${done} of ${columns.length}`]] as [string, string][])
            : []),
          ['Started', formatDate(job.startedAt)],
          ['Finished', job.finishedAt ? formatDate(job.finishedAt) : '—'],
          ...(job.error ? ([['Error', job.error]] as [string, string][]) : []),
        ]}
      />
      {job.status === 'running' && columns.length > 0 && (
        <progress class="progress" max={columns.length} value={done} aria-label="Rotation progress" />
      )}
    </div>
  );
}
