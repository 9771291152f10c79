import { useState } from 'preact/hooks';
import type { RouteProps } from '../app';
import { Operators } from '../api/endpoints';
import type { Operator, Role } from '../api/types';
import {
  Button,
  Card,
  ConfirmButton,
  CopyField,
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

const ROLE_OPTIONS = [
  { value: 'operator', label: 'Operator: works on the accounts assigned to them' },
  { value: 'auditor', label: 'Auditor: reads everything, changes nothing' },
  { value: 'admin', label: 'Admin: everything, including operators and keys' },
];

export function OperatorsPage({ me }: RouteProps) {
  const ops = useAsync(() => Operators.list(), []);
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<(Operator & { initialPassword?: string }) | null>(null);
  return (
    <>
      <PageHeader
        title="Operators"
        subtitle="Agency staff who sign in to the broker, and their roles."
        actions={
          <Button variant="primary" onClick={() => setAdding(true)}>
            Add an operator
          </Button>
        }
      />
      {created?.initialPassword && (
        <Card title={`Initial password of ${created.email}`}>
          <SecretNotice />
          <CopyField
            label="Initial password"
            value={created.initialPassword}
            secret
            what="initial password"
          />
          <p class="muted small">They sign in with it, then set up two-factor authentication.</p>
          <Button small onClick={() => setCreated(null)}>
            Done
          </Button>
        </Card>
      )}
      <Card>
        <ErrorBanner error={ops.error} title="Could not load the operators" />
        {!ops.data ? (
          <Loading />
        ) : ops.data.length === 0 ? (
          <Empty>No operator.</Empty>
        ) : (
          <div class="table-wrap">
            <table class="data">
              <thead>
                <tr>
                  <th scope="col">Operator</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">2FA</th>
                  <th scope="col">Last sign-in</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {ops.data.map((o) => (
                  <tr key={o.id}>
                    <td>
                      {o.displayName}
                      <div class="muted small">{o.email}</div>
                    </td>
                    <td>
                      {o.id === me.id ? (
                        o.role
                      ) : (
                        <select
                          aria-label={`Role of ${o.displayName}`}
                          value={o.role}
                          onChange={async (e) => {
                            const role = (e.currentTarget as HTMLSelectElement).value as Role;
                            try {
                              await Operators.update(o.id, { role });
                              notify(`${o.displayName} is now ${role}`);
                            } catch (err) {
                              notify(err instanceof Error ? err.message : String(err), 'error');
                            }
                            await ops.reload();
                          }}
                        >
                          <option value="admin">admin</option>
                          <option value="operator">operator</option>
                          <option value="auditor">auditor</option>
                        </select>
                      )}
                    </td>
                    <td>
                      <StateBadge state={o.status} />
                    </td>
                    <td>
                      {o.totpEnabled ? (
                        <StateBadge state="enabled" />
                      ) : (
                        <StateBadge state="none" label="not set up" />
                      )}
                    </td>
                    <td>{formatDate(o.lastLoginAt)}</td>
                    <td class="actions">
                      {o.id !== me.id && o.status === 'active' && (
                        <ConfirmButton
                          small
                          label="Disable"
                          confirmTitle={`Disable ${o.displayName}?`}
                          confirmText={<p>Their sessions and API tokens are revoked at once.</p>}
                          onConfirm={async () => {
                            await Operators.disable(o.id);
                            notify(`${o.displayName} disabled`);
                            await ops.reload();
                          }}
                        />
                      )}
                      {o.id !== me.id && o.status === 'disabled' && (
                        <Button
                          small
                          onClick={async () => {
                            await Operators.enable(o.id);
                            notify(`${o.displayName} enabled`);
                            await ops.reload();
                          }}
                        >
                          Enable
                        </Button>
                      )}
                      {o.totpEnabled && o.id !== me.id && (
                        <ConfirmButton
                          small
                          variant="secondary"
                          label="Reset 2FA"
                          confirmTitle={`Reset the second factor of ${o.displayName}?`}
                          confirmText={<p>They will enrol a new authenticator at their next sign-in.</p>}
                          onConfirm={async () => {
                            await Operators.reset2fa(o.id);
                            notify(`Second factor of ${o.displayName} reset`);
                            await ops.reload();
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
      {adding && (
        <AddOperatorDialog
          onClose={() => setAdding(false)}
          onSaved={(o) => {
            setAdding(false);
            setCreated(o);
            notify(`Operator ${o.email} added`);
            void ops.reload();
          }}
        />
      )}
    </>
  );
}

function AddOperatorDialog(props: {
  onClose: () => void;
  onSaved: (o: Operator & { initialPassword?: string }) => void;
}) {
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <Dialog open title="Add an operator" onClose={props.onClose}>
      <form
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            props.onSaved(
              await Operators.create({
                email: email.trim(),
                displayName: displayName.trim(),
                role,
                password: password || undefined,
              }),
            );
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <ErrorBanner error={error} title="Could not add the operator" />
        <TextField label="Name" value={displayName} onValue={setDisplayName} required name="displayName" />
        <TextField label="Email" type="email" value={email} onValue={setEmail} required name="email" />
        <SelectField label="Role" value={role} onValue={(v) => setRole(v as Role)} options={ROLE_OPTIONS} />
        <TextField
          label="Initial password"
          type="password"
          value={password}
          onValue={setPassword}
          autoComplete="new-password"
          name="password"
          hint="Leave empty to have a strong one generated and shown once."
        />
        <div class="form-actions">
          <Button onClick={props.onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy}>
            Add
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
