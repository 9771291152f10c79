import { useState } from 'preact/hooks';
import type { RouteProps } from '../app';
import { Operators } from '../api/endpoints';
import type { Operator, Role } from '../api/types';
import { act, DataTable, ResourceList, SecretOnce } from '../components/data';
import { FormDialog } from '../components/forms';
import {
  Button,
  Card,
  ConfirmButton,
  PageHeader,
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

export function TotpBadge(props: { enabled: boolean }) {
  return props.enabled ? <StateBadge state="enabled" /> : <StateBadge state="none" label="not set up" />;
}

export function OperatorsPage({ me }: RouteProps) {
  const ops = useAsync(() => Operators.list(), []);
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<(Operator & { initialPassword?: string }) | null>(null);
  const reload = () => ops.reload();
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
        <SecretOnce
          title={`Initial password of ${created.email}`}
          label="Initial password"
          value={created.initialPassword}
          what="initial password"
          note="They sign in with it, then set up two-factor authentication."
          onDone={() => setCreated(null)}
        />
      )}
      <Card>
        <ResourceList resource={ops} errorTitle="Could not load the operators" empty="No operator.">
          {(rows) => (
            <DataTable
              rows={rows}
              rowKey={(o) => o.id}
              columns={[
                {
                  header: 'Operator',
                  cell: (o) => (
                    <>
                      {o.displayName}
                      <div class="muted small">{o.email}</div>
                    </>
                  ),
                },
                {
                  header: 'Role',
                  cell: (o) =>
                    o.id === me.id ? (
                      o.role
                    ) : (
                      <select
                        aria-label={`Role of ${o.displayName}`}
                        value={o.role}
                        onChange={(e) => {
                          const role = (e.currentTarget as HTMLSelectElement).value as Role;
                          void act(
                            () => Operators.update(o.id, { role }),
                            `${o.displayName} is now ${role}`,
                            reload,
                          );
                        }}
                      >
                        <option value="admin">admin</option>
                        <option value="operator">operator</option>
                        <option value="auditor">auditor</option>
                      </select>
                    ),
                },
                { header: 'Status', cell: (o) => <StateBadge state={o.status} /> },
                { header: '2FA', cell: (o) => <TotpBadge enabled={o.totpEnabled} /> },
                { header: 'Last sign-in', cell: (o) => formatDate(o.lastLoginAt) },
              ]}
              actions={(o) =>
                o.id !== me.id && (
                  <>
                    {o.status === 'active' && (
                      <ConfirmButton
                        small
                        label="Disable"
                        confirmTitle={`Disable ${o.displayName}?`}
                        confirmText={<p>Their sessions and API tokens are revoked at once.</p>}
                        onConfirm={async () => {
                          await Operators.disable(o.id);
                          notify(`${o.displayName} disabled`);
                          await reload();
                        }}
                      />
                    )}
                    {o.status === 'disabled' && (
                      <Button
                        small
                        onClick={() => act(() => Operators.enable(o.id), `${o.displayName} enabled`, reload)}
                      >
                        Enable
                      </Button>
                    )}
                    {o.totpEnabled && (
                      <ConfirmButton
                        small
                        variant="secondary"
                        label="Reset 2FA"
                        confirmTitle={`Reset the second factor of ${o.displayName}?`}
                        confirmText={<p>They will enrol a new authenticator at their next sign-in.</p>}
                        onConfirm={async () => {
                          await Operators.reset2fa(o.id);
                          notify(`Second factor of ${o.displayName} reset`);
                          await reload();
                        }}
                      />
                    )}
                  </>
                )
              }
            />
          )}
        </ResourceList>
      </Card>
      {adding && (
        <AddOperatorDialog
          onClose={() => setAdding(false)}
          onSaved={(o) => {
            setAdding(false);
            setCreated(o);
            notify(`Operator ${o.email} added`);
            void reload();
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
  return (
    <FormDialog
      title="Add an operator"
      onClose={props.onClose}
      errorTitle="Could not add the operator"
      submitLabel="Add"
      onSubmit={async () =>
        props.onSaved(
          await Operators.create({
            email: email.trim(),
            displayName: displayName.trim(),
            role,
            password: password || undefined,
          }),
        )
      }
    >
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
    </FormDialog>
  );
}
