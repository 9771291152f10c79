import { useState } from 'preact/hooks';
import type { RouteProps } from '../app';
import { Applications } from '../api/endpoints';
import { OVH_ENDPOINTS } from '../../../../libs/ovh-protocol/src/ovh-endpoints';
import { DataTable, ResourceList } from '../components/data';
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
        <ResourceList
          resource={apps}
          errorTitle="Could not load the applications"
          empty={
            <>
              No application yet. Create one at your endpoint's <code>/createApp</code> page (or use the
              emulator's sandbox application) and register its keys here.
            </>
          }
        >
          {(rows) => (
            <DataTable
              rows={rows}
              rowKey={(a) => a.id}
              columns={[
                {
                  header: 'Label',
                  cell: (a) => (
                    <>
                      {a.label}
                      {a.description && <div class="muted small">{a.description}</div>}
                    </>
                  ),
                },
                {
                  header: 'Endpoint',
                  cell: (a) => (
                    <>
                      {a.endpoint}
                      {a.endpointBaseUrl !== a.endpoint && <div class="muted small">{a.endpointBaseUrl}</div>}
                    </>
                  ),
                },
                { header: 'Application key', cell: (a) => <code>{a.appKey}</code> },
                { header: 'Status', cell: (a) => <StateBadge state={a.status} /> },
                { header: 'Registered', cell: (a) => formatDate(a.createdAt) },
              ]}
              actions={(a) =>
                a.status === 'active' && (
                  <ConfirmButton
                    small
                    label="Disable"
                    confirmTitle={`Disable “${a.label}”?`}
                    confirmText={
                      <p>
                        No new consumer key can be requested with it, and relayed calls signed with it stop.
                      </p>
                    }
                    onConfirm={async () => {
                      await Applications.disable(a.id);
                      notify(`Application “${a.label}” disabled`);
                      await apps.reload();
                    }}
                  />
                )
              }
            />
          )}
        </ResourceList>
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
  return (
    <FormDialog
      title="Register an application"
      onClose={props.onClose}
      errorTitle="Registration failed"
      submitLabel="Register"
      onSubmit={async () => {
        await Applications.create({
          label: label.trim(),
          endpoint: endpoint === 'custom' ? custom.trim() : endpoint,
          appKey: appKey.trim(),
          appSecret: appSecret.trim(),
          description: description.trim() || undefined,
        });
        props.onSaved();
      }}
    >
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
    </FormDialog>
  );
}
