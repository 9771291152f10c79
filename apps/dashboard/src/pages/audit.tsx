import { useState } from 'preact/hooks';
import type { RouteProps } from '../app';
import { Audit, type AuditQuery } from '../api/endpoints';
import { errorMessage } from '../api/client';
import type { AuditEvent } from '../api/types';
import { ExportButton } from '../components/data';
import {
  Button,
  Card,
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
import { location, navigate } from '../lib/router';

const FILTER_KEYS = [
  'action',
  'actorType',
  'actorId',
  'accountId',
  'objectId',
  'result',
  'from',
  'to',
] as const;
type Filters = Partial<Record<(typeof FILTER_KEYS)[number], string>>;

function filtersFromUrl(): Filters {
  const q = location.get().query;
  const f: Filters = {};
  for (const k of FILTER_KEYS) {
    const v = q.get(k);
    if (v) f[k] = v;
  }
  return f;
}

// datetime-local values are local time; the API wants ISO instants.
function toQuery(f: Filters): AuditQuery {
  const q: AuditQuery = { ...f };
  if (f.from) q.from = new Date(f.from).toISOString();
  if (f.to) q.to = new Date(f.to).toISOString();
  return q;
}

export function AuditPage(_props: RouteProps) {
  const [applied, setApplied] = useState<Filters>(filtersFromUrl);
  const [draft, setDraft] = useState<Filters>(applied);
  const [pages, setPages] = useState<AuditEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState(false);
  const [open, setOpen] = useState<AuditEvent | null>(null);

  const first = useAsync(async () => {
    const page = await Audit.list({ ...toQuery(applied), limit: 50 });
    setPages(page.items);
    setCursor(page.nextCursor);
    return page;
  }, [JSON.stringify(applied)]);

  const apply = (f: Filters) => {
    const clean = Object.fromEntries(Object.entries(f).filter(([, v]) => v)) as Filters;
    setApplied(clean);
    const qs = new URLSearchParams(clean as Record<string, string>).toString();
    navigate(`/audit${qs ? `?${qs}` : ''}`, { replace: true });
  };

  const set = (k: keyof Filters) => (v: string) => setDraft({ ...draft, [k]: v });

  return (
    <>
      <PageHeader
        title="Audit log"
        subtitle="Every action and every relayed call, newest first. The log is append-only and hash-chained."
        actions={
          <>
            {(['csv', 'ndjson'] as const).map((format) => (
              <ExportButton
                key={format}
                path={Audit.exportPath}
                query={{ ...toQuery(applied), format }}
                filename={`audit-events.${format}`}
                label={`Export ${format.toUpperCase()}`}
                done={`Exported the filtered log as ${format.toUpperCase()}`}
              />
            ))}
          </>
        }
      />
      <Card>
        <form
          class="toolbar"
          role="search"
          aria-label="Filter the audit log"
          onSubmit={(e) => {
            e.preventDefault();
            apply(draft);
          }}
        >
          <TextField
            label="Action"
            value={draft.action ?? ''}
            onValue={set('action')}
            placeholder="e.g. grant.* or auth.login"
            name="action"
          />
          <SelectField
            label="Actor type"
            value={draft.actorType ?? ''}
            onValue={set('actorType')}
            options={[
              { value: '', label: 'Any' },
              { value: 'operator', label: 'Operator' },
              { value: 'api_token', label: 'API token' },
              { value: 'grant', label: 'Grant (relay call)' },
              { value: 'system', label: 'System' },
              { value: 'anonymous', label: 'Anonymous' },
            ]}
          />
          <SelectField
            label="Result"
            value={draft.result ?? ''}
            onValue={set('result')}
            options={[
              { value: '', label: 'Any' },
              { value: 'success', label: 'Success' },
              { value: 'failure', label: 'Failure' },
              { value: 'denied', label: 'Denied' },
            ]}
          />
          <TextField
            label="Account id"
            value={draft.accountId ?? ''}
            onValue={set('accountId')}
            name="accountId"
          />
          <TextField
            label="From"
            type="datetime-local"
            value={draft.from ?? ''}
            onValue={set('from')}
            name="from"
          />
          <TextField label="To" type="datetime-local" value={draft.to ?? ''} onValue={set('to')} name="to" />
          <div class="field">
            <Button type="submit" variant="primary">
              Apply filters
            </Button>
          </div>
          <div class="field">
            <Button
              onClick={() => {
                setDraft({});
                apply({});
              }}
            >
              Clear
            </Button>
          </div>
        </form>
        <ErrorBanner error={first.error} title="Could not load the audit log" />
        {first.loading && pages.length === 0 ? (
          <Loading />
        ) : pages.length === 0 ? (
          <Empty>No event matches these filters.</Empty>
        ) : (
          <div class="table-wrap">
            <table class="data">
              <caption class="sr-only">Audit events, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Action</th>
                  <th scope="col">Result</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Object</th>
                  <th scope="col">IP</th>
                </tr>
              </thead>
              <tbody>
                {pages.map((e) => (
                  <tr key={e.id}>
                    <td>
                      <button
                        type="button"
                        class="btn btn-ghost btn-small"
                        onClick={() => setOpen(e)}
                        aria-label={`Details of ${e.action} at ${formatDate(e.occurredAt ?? e.createdAt)}`}
                      >
                        {formatDate(e.occurredAt ?? e.createdAt)}
                      </button>
                    </td>
                    <td>
                      <code>{e.action}</code>
                    </td>
                    <td>
                      <StateBadge state={e.result} />
                    </td>
                    <td>
                      {e.actorLabel ?? e.actorId ?? '—'} <span class="muted small">{e.actorType}</span>
                    </td>
                    <td class="small">
                      {e.objectType ? `${e.objectType} ${e.objectId?.slice(0, 8) ?? ''}` : '—'}
                    </td>
                    <td class="small">{e.ip ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {cursor && (
          <div class="form-actions" style={{ justifyContent: 'center' }}>
            <Button
              busy={more}
              onClick={async () => {
                setMore(true);
                try {
                  const page = await Audit.list({ ...toQuery(applied), limit: 50, cursor });
                  setPages([...pages, ...page.items]);
                  setCursor(page.nextCursor);
                } catch (e) {
                  notify(errorMessage(e), 'error');
                } finally {
                  setMore(false);
                }
              }}
            >
              Load older events
            </Button>
          </div>
        )}
      </Card>
      <Dialog open={open !== null} title={open ? open.action : ''} onClose={() => setOpen(null)} wide>
        {open && <pre class="code">{JSON.stringify(open, null, 2)}</pre>}
      </Dialog>
    </>
  );
}
