import { useState } from 'preact/hooks';
import type { RouteProps } from '../app';
import { Webhooks } from '../api/endpoints';
import type { Webhook } from '../api/types';
import { act, DataTable, ResourceList, SecretOnce } from '../components/data';
import { CheckList, FormDialog } from '../components/forms';
import { Button, Card, ConfirmButton, Dialog, PageHeader, StateBadge, TextField } from '../components/ui';
import { notify } from '../lib/announce';
import { formatDate } from '../lib/format';
import { useAsync } from '../lib/hooks';
import { CONSUMER_KEY_NOTIFICATION_EVENTS } from '../../../../libs/notifications/src/notification-events';

// Event filters: '*', a prefix such as 'consumer_key.*', or one event.
const EVENT_FILTERS = ['*', 'consumer_key.*', ...CONSUMER_KEY_NOTIFICATION_EVENTS];

export function WebhooksPage(_props: RouteProps) {
  const hooks = useAsync(() => Webhooks.list(), []);
  const [adding, setAdding] = useState(false);
  const [secret, setSecret] = useState<Webhook | null>(null);
  const [log, setLog] = useState<Webhook | null>(null);
  const reload = () => hooks.reload();
  return (
    <>
      <PageHeader
        title="Webhooks"
        subtitle="HTTP callbacks on key and grant events, signed with a shared secret."
        actions={
          <Button variant="primary" onClick={() => setAdding(true)}>
            Add a webhook
          </Button>
        }
      />
      {secret?.secret && (
        <SecretOnce
          title="Signing secret"
          label={`Secret of ${secret.url}`}
          value={secret.secret}
          what="signing secret"
          onDone={() => setSecret(null)}
        />
      )}
      <Card>
        <ResourceList resource={hooks} errorTitle="Could not load the webhooks" empty="No webhook.">
          {(rows) => (
            <DataTable
              rows={rows}
              rowKey={(h) => h.id}
              columns={[
                {
                  header: 'URL',
                  cell: (h) => (
                    <>
                      <code>{h.url}</code>
                      {h.description && <div class="muted small">{h.description}</div>}
                    </>
                  ),
                },
                {
                  header: 'Events',
                  class: 'small',
                  cell: (h) => (h.events?.length ? h.events.join(', ') : 'all'),
                },
                { header: 'Status', cell: (h) => <StateBadge state={h.enabled ? 'enabled' : 'disabled'} /> },
                { header: 'Created', cell: (h) => formatDate(h.createdAt) },
              ]}
              actions={(h) => (
                <>
                  <Button small aria-label={`Deliveries of ${h.url}`} onClick={() => setLog(h)}>
                    Deliveries
                  </Button>
                  <Button
                    small
                    onClick={() =>
                      act(
                        () => Webhooks.update(h.id, { enabled: !h.enabled }),
                        h.enabled ? 'Webhook paused' : 'Webhook enabled',
                        reload,
                      )
                    }
                  >
                    {h.enabled ? 'Pause' : 'Enable'}
                  </Button>
                  <ConfirmButton
                    small
                    variant="secondary"
                    label="Rotate secret"
                    confirmTitle="Rotate the signing secret?"
                    confirmText={
                      <p>Deliveries are signed with a new secret from now on: update the receiver.</p>
                    }
                    onConfirm={async () => {
                      setSecret(await Webhooks.rotateSecret(h.id));
                      notify('Signing secret rotated');
                    }}
                  />
                  <ConfirmButton
                    small
                    label="Delete"
                    confirmTitle="Delete this webhook?"
                    confirmText={<p>No more events are sent to {h.url}.</p>}
                    onConfirm={async () => {
                      await Webhooks.remove(h.id);
                      notify('Webhook deleted');
                      await reload();
                    }}
                  />
                </>
              )}
            />
          )}
        </ResourceList>
      </Card>
      {log && <DeliveriesDialog hook={log} onClose={() => setLog(null)} />}
      {adding && (
        <AddWebhookDialog
          events={EVENT_FILTERS}
          onClose={() => setAdding(false)}
          onSaved={(h) => {
            setAdding(false);
            setSecret(h);
            notify('Webhook added');
            void reload();
          }}
        />
      )}
    </>
  );
}

// The last deliveries of one webhook: state, attempts, the receiver's answer.
function DeliveriesDialog(props: { hook: Webhook; onClose: () => void }) {
  const deliveries = useAsync(() => Webhooks.deliveries(props.hook.id), [props.hook.id]);
  return (
    <Dialog open wide title="Webhook deliveries" onClose={props.onClose}>
      <p class="muted small" style={{ marginTop: 0 }}>
        The latest deliveries to <code>{props.hook.url}</code>, newest first. Failed ones are retried with
        back-off.
      </p>
      <ResourceList
        resource={deliveries}
        errorTitle="Could not load the deliveries"
        empty="No delivery yet: nothing has happened that this webhook listens to."
      >
        {(rows) => (
          <DataTable
            caption="Deliveries, newest first"
            rows={rows}
            rowKey={(d) => d.id}
            columns={[
              { header: 'Created', cell: (d) => formatDate(d.createdAt) },
              { header: 'Event', cell: (d) => <code>{d.event}</code> },
              { header: 'State', cell: (d) => <StateBadge state={d.state} /> },
              { header: 'Attempts', cell: (d) => d.attempts },
              {
                header: 'Last answer',
                class: 'small',
                cell: (d) =>
                  d.lastStatus !== null
                    ? `HTTP ${d.lastStatus}${d.lastDurationMs !== null ? ` · ${d.lastDurationMs} ms` : ''}`
                    : (d.lastError ?? '—'),
              },
              {
                header: 'Next attempt',
                cell: (d) => (d.state === 'pending' ? formatDate(d.nextAttemptAt) : '—'),
              },
            ]}
          />
        )}
      </ResourceList>
      <div class="form-actions">
        <Button onClick={() => void deliveries.reload()} busy={deliveries.loading}>
          Refresh
        </Button>
        <Button onClick={props.onClose}>Close</Button>
      </div>
    </Dialog>
  );
}

function AddWebhookDialog(props: { events: string[]; onClose: () => void; onSaved: (h: Webhook) => void }) {
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [picked, setPicked] = useState<string[]>(['*']);
  return (
    <FormDialog
      title="Add a webhook"
      onClose={props.onClose}
      errorTitle="Could not add the webhook"
      submitLabel="Add"
      onSubmit={async () =>
        props.onSaved(
          await Webhooks.create({
            url: url.trim(),
            description: description.trim() || undefined,
            events: [...picked],
          }),
        )
      }
    >
      <TextField
        label="URL"
        type="url"
        value={url}
        onValue={setUrl}
        placeholder="https://hooks.example.net/broker"
        required
        name="url"
      />
      <TextField label="Description" value={description} onValue={setDescription} name="description" />
      <CheckList
        legend="Events"
        options={props.events.map((ev) => ({ value: ev, label: <code>{ev}</code> }))}
        picked={picked}
        onChange={setPicked}
      />
    </FormDialog>
  );
}
