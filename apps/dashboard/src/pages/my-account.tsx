import { useState } from 'preact/hooks';
import type { RouteProps } from '../app';
import { ApiTokens, Auth } from '../api/endpoints';
import { loadMe } from '../api/me';
import type { ApiToken, Role } from '../api/types';
import { TotpEnrolmentFlow } from '../components/totp-enrolment';
import {
  Button,
  Card,
  ConfirmButton,
  CopyField,
  DefinitionList,
  Dialog,
  Empty,
  ErrorBanner,
  Loading,
  PageHeader,
  SecretNotice,
  SelectField,
  StateBadge,
  TextField,
} from '../components/ui';
import { notify } from '../lib/announce';
import { formatDate } from '../lib/format';
import { useAsync } from '../lib/hooks';
import { parseIpList } from '../lib/keys';

export function MyAccountPage({ me }: RouteProps) {
  const tokens = useAsync(() => ApiTokens.list(), []);
  const [enrolling, setEnrolling] = useState(false);
  const [creating, setCreating] = useState(false);
  const [newToken, setNewToken] = useState<(ApiToken & { token: string }) | null>(null);
  const totp = Boolean(me.totpEnabled ?? me.twoFactorEnabled);

  return (
    <>
      <PageHeader title="My account" subtitle={me.email} />
      <Card title="Profile">
        <DefinitionList
          items={[
            ['Name', me.displayName ?? '—'],
            ['Email', me.email],
            ['Role', me.role],
            [
              'Two-factor authentication',
              totp ? <StateBadge state="enabled" /> : <StateBadge state="none" label="not set up" />,
            ],
          ]}
        />
      </Card>
      <Card
        title="Two-factor authentication"
        actions={
          !totp ? (
            <Button variant="primary" onClick={() => setEnrolling(true)}>
              Set up
            </Button>
          ) : (
            <DisableTotpButton />
          )
        }
      >
        <p class="muted" style={{ margin: 0 }}>
          {totp
            ? 'Your sign-in asks for a code from your authenticator app. Keep your recovery codes safe.'
            : 'Protect your account with an authenticator app (TOTP).'}
        </p>
      </Card>
      <Card
        title="API tokens"
        actions={
          <Button variant="primary" onClick={() => setCreating(true)}>
            New token
          </Button>
        }
      >
        <p class="muted small" style={{ marginTop: 0 }}>
          For scripts and CI calling the admin API (not the relay): send as <code>Authorization: Bearer</code>
          .
        </p>
        {newToken && (
          <div class="stack" style={{ marginBottom: '1rem' }}>
            <SecretNotice />
            <CopyField label={`Token “${newToken.name}”`} value={newToken.token} secret what="API token" />
            <Button small onClick={() => setNewToken(null)}>
              Done
            </Button>
          </div>
        )}
        <ErrorBanner error={tokens.error} />
        {!tokens.data ? (
          <Loading />
        ) : tokens.data.length === 0 ? (
          <Empty>No API token.</Empty>
        ) : (
          <div class="table-wrap">
            <table class="data">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Prefix</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.data.map((t) => (
                  <tr key={t.id}>
                    <td>
                      {t.name}
                      {t.ipAllowList?.length > 0 && (
                        <div class="muted small">from {t.ipAllowList.join(', ')}</div>
                      )}
                    </td>
                    <td>{t.role}</td>
                    <td>
                      <code>{t.prefix}</code>
                    </td>
                    <td>{t.revokedAt ? <StateBadge state="revoked" /> : formatDate(t.expiresAt)}</td>
                    <td>{formatDate(t.lastUsedAt)}</td>
                    <td>
                      {!t.revokedAt && (
                        <ConfirmButton
                          small
                          label="Revoke"
                          confirmTitle={`Revoke the token “${t.name}”?`}
                          confirmText={<p>Scripts using it stop working at once.</p>}
                          onConfirm={async () => {
                            await ApiTokens.revoke(t.id);
                            notify(`Token “${t.name}” revoked`);
                            await tokens.reload();
                          }}
                        />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <Dialog
        open={enrolling}
        title="Set up two-factor authentication"
        onClose={() => setEnrolling(false)}
        wide
      >
        <TotpEnrolmentFlow
          onCancel={() => setEnrolling(false)}
          onDone={async () => {
            setEnrolling(false);
            notify('Two-factor authentication is on');
            await loadMe();
          }}
        />
      </Dialog>
      {creating && (
        <NewTokenDialog
          role={me.role}
          onClose={() => setCreating(false)}
          onCreated={(t) => {
            setCreating(false);
            setNewToken(t);
            void tokens.reload();
          }}
        />
      )}
    </>
  );
}

function DisableTotpButton() {
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Turn off
      </Button>
      <Dialog open={open} title="Turn off two-factor authentication" onClose={() => setOpen(false)}>
        <form
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            setError(null);
            try {
              await Auth.disable2fa({ code: code.trim() });
              setOpen(false);
              notify('Two-factor authentication is off');
              await loadMe();
            } catch (err) {
              setError(err);
            } finally {
              setBusy(false);
            }
          }}
        >
          <ErrorBanner error={error} />
          <TextField
            label="Current authentication code"
            value={code}
            onValue={setCode}
            autoComplete="one-time-code"
            inputMode="numeric"
            required
            name="code"
          />
          <div class="form-actions">
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button type="submit" variant="danger" busy={busy}>
              Turn off
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}

function NewTokenDialog(props: {
  role: Role;
  onClose: () => void;
  onCreated: (t: ApiToken & { token: string }) => void;
}) {
  const [name, setName] = useState('');
  const [days, setDays] = useState('90');
  const [role, setRole] = useState<Role>(props.role);
  const [ips, setIps] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <Dialog open title="New API token" onClose={props.onClose}>
      <form
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const list = parseIpList(ips);
            props.onCreated(
              await ApiTokens.create({
                name: name.trim(),
                role,
                expiresInDays: Number(days),
                ...(list.length ? { ipAllowList: list } : {}),
              }),
            );
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <ErrorBanner error={error} title="Could not create the token" />
        <TextField
          label="Name"
          value={name}
          onValue={setName}
          required
          name="name"
          hint="What uses it, e.g. “terraform CI”."
        />
        <SelectField
          label="Expires in"
          value={days}
          onValue={setDays}
          options={[
            { value: '7', label: '7 days' },
            { value: '30', label: '30 days' },
            { value: '90', label: '90 days' },
            { value: '365', label: '1 year' },
          ]}
        />
        {props.role === 'admin' && (
          <SelectField
            label="Role"
            value={role}
            onValue={(v) => setRole(v as Role)}
            options={[
              { value: 'admin', label: 'admin' },
              { value: 'operator', label: 'operator' },
              { value: 'auditor', label: 'auditor' },
            ]}
          />
        )}
        <TextField
          label="Allowed IPs"
          value={ips}
          onValue={setIps}
          name="ips"
          hint="Optional CIDR blocks, comma-separated."
        />
        <div class="form-actions">
          <Button onClick={props.onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy}>
            Create
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
