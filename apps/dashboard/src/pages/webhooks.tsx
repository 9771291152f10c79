import { useState } from 'preact/hooks';
import type { RouteProps } from '../app';
import { Webhooks } from '../api/endpoints';
import type { Webhook } from '../api/types';
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
  StateBadge,
  TextField,
} from '../components/ui';
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
        <Card title="Signing secret">
          <SecretNotice />
          <CopyField label={`Secret of ${secret.url}`} value={secret.secret} secret what="signing secret" />
          <Button small onClick={() => setSecret(null)}>
            Done
          </Button>
        </Card>
      )}
      <Card>
        <ErrorBanner error={hooks.error} title="Could not load the webhooks" />
        {!hooks.data ? (
          <Loading />
        ) : hooks.data.length === 0 ? (
          <Empty>No webhook.</Empty>
        ) : (
          <div class="table-wrap">
            <table class="data">
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {hooks.data.map((h) => (
                  <tr key={h.id}>
                    <td>
                      <code>{h.url}</code>
                      {h.description && <div class="muted small">{h.description}</div>}
                    </td>
                    <td class="small">{h.events?.length ? h.events.join(', ') : 'all'}</td>
                    <td>
                      <StateBadge state={h.enabled ? 'enabled' : 'disabled'} />
                    </td>
                    <td>{formatDate(h.createdAt)}</td>
                    <td class="actions">
                      <Button
                        small
                        onClick={async () => {
                          try {
                            await Webhooks.update(h.id, { enabled: !h.enabled });
                            notify(h.enabled ? 'Webhook paused' : 'Webhook enabled');
                          } catch (e) {
                            notify(e instanceof Error ? e.message : String(e), 'error');
                          }
                          await hooks.reload();
                        }}
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
                          await hooks.reload();
                        }}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {adding && (
        <AddWebhookDialog
          events={EVENT_FILTERS}
          onClose={() => setAdding(false)}
          onSaved={(h) => {
            setAdding(false);
            setSecret(h);
            notify('Webhook added');
            void hooks.reload();
          }}
        />
      )}
    </>
  );
}

function AddWebhookDialog(props: { events: string[]; onClose: () => void; onSaved: (h: Webhook) => void }) {
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [picked, setPicked] = useState<Set<string>>(new Set(['*']));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <Dialog open title="Add a webhook" onClose={props.onClose}>
      <form
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            props.onSaved(
              await Webhooks.create({
                url: url.trim(),
                description: description.trim() || undefined,
                events: [...picked],
              }),
            );
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <ErrorBanner error={error} title="Could not add the webhook" />
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
        <fieldset>
          <legend>Events</legend>
          {props.events.map((ev) => (
            <label class="check" key={ev}>
              <input
                type="checkbox"
                checked={picked.has(ev)}
                onChange={(e) => {
                  const next = new Set(picked);
                  if ((e.currentTarget as HTMLInputElement).checked) next.add(ev);
                  else next.delete(ev);
                  setPicked(next);
                }}
              />
              <code>{ev}</code>
            </label>
          ))}
        </fieldset>
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
