import { useState } from 'preact/hooks';
import type { RouteProps } from '../app';
import { ApiTokens, Auth, Me } from '../api/endpoints';
import { loadMe } from '../api/me';
import type { ApiToken, Role } from '../api/types';
import { DataTable, ResourceList, SecretOnce } from '../components/data';
import { FormDialog, SubmitForm } from '../components/forms';
import { TotpEnrolmentFlow } from '../components/totp-enrolment';
import {
  Button,
  Card,
  ConfirmButton,
  DefinitionList,
  Dialog,
  PageHeader,
  SelectField,
  StateBadge,
  TextField,
} from '../components/ui';
import { notify } from '../lib/announce';
import { formatDate, plural } from '../lib/format';
import { useAsync } from '../lib/hooks';
import { parseIpList } from '../lib/keys';
import { TotpBadge } from './operators';

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
            ['Two-factor authentication', <TotpBadge enabled={totp} />],
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
      <Card title="Password">
        <ChangePasswordForm email={me.email} />
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
          <SecretOnce
            label={`Token “${newToken.name}”`}
            value={newToken.token}
            what="API token"
            onDone={() => setNewToken(null)}
          />
        )}
        <ResourceList resource={tokens} empty="No API token.">
          {(rows) => (
            <DataTable
              rows={rows}
              rowKey={(t) => t.id}
              columns={[
                {
                  header: 'Name',
                  cell: (t) => (
                    <>
                      {t.name}
                      {t.ipAllowList?.length > 0 && (
                        <div class="muted small">from {t.ipAllowList.join(', ')}</div>
                      )}
                    </>
                  ),
                },
                { header: 'Role', cell: (t) => t.role },
                { header: 'Prefix', cell: (t) => <code>{t.prefix}</code> },
                {
                  header: 'Expires',
                  cell: (t) => (t.revokedAt ? <StateBadge state="revoked" /> : formatDate(t.expiresAt)),
                },
                { header: 'Last used', cell: (t) => formatDate(t.lastUsedAt) },
              ]}
              actions={(t) =>
                !t.revokedAt && (
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
                )
              }
            />
          )}
        </ResourceList>
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

// The current password is checked; the operator's other sessions end, this one stays.
function ChangePasswordForm(props: { email: string }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [key, setKey] = useState(0);
  const mismatch = confirm !== '' && confirm !== next;
  return (
    <SubmitForm
      key={key}
      errorTitle="The password was not changed"
      submitLabel="Change password"
      disabled={mismatch}
      onSubmit={async () => {
        const { otherSessionsRevoked } = await Me.changePassword(current, next);
        notify(
          otherSessionsRevoked > 0
            ? `Password changed; ${plural(otherSessionsRevoked, 'other session')} signed out`
            : 'Password changed',
        );
        setCurrent('');
        setNext('');
        setConfirm('');
        setKey(key + 1);
      }}
    >
      {/* For password managers: the account the new password belongs to. */}
      <input type="text" name="username" autoComplete="username" value={props.email} hidden readOnly />
      <div class="grid-3">
        <TextField
          label="Current password"
          type="password"
          value={current}
          onValue={setCurrent}
          autoComplete="current-password"
          required
          name="currentPassword"
        />
        <TextField
          label="New password"
          type="password"
          value={next}
          onValue={setNext}
          autoComplete="new-password"
          hint="At least 12 characters. Your other sessions are signed out; API tokens keep working."
          required
          name="newPassword"
        />
        <TextField
          label="Confirm the new password"
          type="password"
          value={confirm}
          onValue={setConfirm}
          autoComplete="new-password"
          error={mismatch ? 'The two passwords differ.' : undefined}
          required
          name="confirmPassword"
        />
      </div>
    </SubmitForm>
  );
}

function DisableTotpButton() {
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState('');
  return (
    <>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Turn off
      </Button>
      <FormDialog
        open={open}
        title="Turn off two-factor authentication"
        onClose={() => setOpen(false)}
        submitLabel="Turn off"
        submitVariant="danger"
        onSubmit={async () => {
          await Auth.disable2fa({ code: code.trim() });
          setOpen(false);
          notify('Two-factor authentication is off');
          await loadMe();
        }}
      >
        <TextField
          label="Current authentication code"
          value={code}
          onValue={setCode}
          autoComplete="one-time-code"
          inputMode="numeric"
          required
          name="code"
        />
      </FormDialog>
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
  return (
    <FormDialog
      title="New API token"
      onClose={props.onClose}
      errorTitle="Could not create the token"
      submitLabel="Create"
      onSubmit={async () => {
        const list = parseIpList(ips);
        props.onCreated(
          await ApiTokens.create({
            name: name.trim(),
            role,
            expiresInDays: Number(days),
            ...(list.length ? { ipAllowList: list } : {}),
          }),
        );
      }}
    >
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
    </FormDialog>
  );
}
