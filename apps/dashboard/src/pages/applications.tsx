import { useState } from 'preact/hooks';
import type { RouteProps } from '../app';
import { Applications } from '../api/endpoints';
import { OVH_ENDPOINTS } from '../../../../libs/ovh-protocol/src/ovh-endpoints';
import {
  Button,
  Card,
  ConfirmButton,
  Dialog,
  Empty,
  ErrorBanner,
  Loading,
  PageHeader,
  SelectField,
  StateBadge,
  TextField,
} from '../components/ui';
import { notify } from '../lib/announce';
import { formatDate } from '../lib/format';
import { useAsync } from '../lib/hooks';

export function ApplicationsPage(_props: RouteProps) {
  const apps = useAsync(() => Applications.list(), []);
  const [adding, setAdding] = useState(false);
  return (
    <>
      <PageHeader
        title="Application keys"
        subtitle="The agency's OVHcloud applications (application key and secret), per endpoint. Secrets are stored encrypted and never shown again."
        actions={
          <Button variant="primary" onClick={() => setAdding(true)}>
            Register an application
          </Button>
        }
      />
      <Card>
        <ErrorBanner error={apps.error} title="Could not load the applications" />
        {!apps.data ? (
          <Loading />
        ) : apps.data.length === 0 ? (
          <Empty>
            No application yet. Create one at your endpoint's <code>/createApp</code> page (or use the
            emulator's sandbox application) and register its keys here.
          </Empty>
        ) : (
          <div class="table-wrap">
            <table class="data">
              <thead>
                <tr>
                  <th scope="col">Label</th>
                  <th scope="col">Endpoint</th>
                  <th scope="col">Application key</th>
                  <th scope="col">Status</th>
                  <th scope="col">Registered</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {apps.data.map((a) => (
                  <tr key={a.id}>
                    <td>
                      {a.label}
                      {a.description && <div class="muted small">{a.description}</div>}
                    </td>
                    <td>
                      {a.endpoint}
                      {a.endpointBaseUrl !== a.endpoint && <div class="muted small">{a.endpointBaseUrl}</div>}
                    </td>
                    <td>
                      <code>{a.appKey}</code>
                    </td>
                    <td>
                      <StateBadge state={a.status} />
                    </td>
                    <td>{formatDate(a.createdAt)}</td>
                    <td>
                      {a.status === 'active' && (
                        <ConfirmButton
                          small
                          label="Disable"
                          confirmTitle={`Disable “${a.label}”?`}
                          confirmText={
                            <p>
                              No new consumer key can be requested with it, and relayed calls signed with it
                              stop.
                            </p>
                          }
                          onConfirm={async () => {
                            await Applications.disable(a.id);
                            notify(`Application “${a.label}” disabled`);
                            await apps.reload();
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
        <RegisterApplicationDialog
          onClose={() => setAdding(false)}
          onSaved={() => {
            setAdding(false);
            notify('Application registered');
            void apps.reload();
          }}
        />
      )}
    </>
  );
}

function RegisterApplicationDialog(props: { onClose: () => void; onSaved: () => void }) {
  const [label, setLabel] = useState('');
  const [endpoint, setEndpoint] = useState('ovh-eu');
  const [custom, setCustom] = useState('');
  const [appKey, setAppKey] = useState('');
  const [appSecret, setAppSecret] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <Dialog open title="Register an application" onClose={props.onClose}>
      <form
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await Applications.create({
              label: label.trim(),
              endpoint: endpoint === 'custom' ? custom.trim() : endpoint,
              appKey: appKey.trim(),
              appSecret: appSecret.trim(),
              description: description.trim() || undefined,
            });
            props.onSaved();
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <ErrorBanner error={error} title="Registration failed" />
        <TextField label="Label" value={label} onValue={setLabel} required name="label" />
        <SelectField
          label="Endpoint"
          value={endpoint}
          onValue={setEndpoint}
          options={[
            ...Object.entries(OVH_ENDPOINTS).map(([name, url]) => ({
              value: name,
              label: `${name} (${url})`,
            })),
            { value: 'custom', label: 'Custom base URL (e.g. the emulator)' },
          ]}
        />
        {endpoint === 'custom' && (
          <TextField
            label="Base URL"
            value={custom}
            onValue={setCustom}
            placeholder="http://127.0.0.1:3100/1.0"
            required
            name="endpointUrl"
          />
        )}
        <TextField
          label="Application key"
          value={appKey}
          onValue={setAppKey}
          autoComplete="off"
          required
          name="appKey"
        />
        <TextField
          label="Application secret"
          type="password"
          value={appSecret}
          onValue={setAppSecret}
          autoComplete="off"
          required
          name="appSecret"
          hint="Encrypted at rest; it cannot be read back."
        />
        <TextField label="Description" value={description} onValue={setDescription} name="description" />
        <div class="form-actions">
          <Button onClick={props.onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy}>
            Register
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
