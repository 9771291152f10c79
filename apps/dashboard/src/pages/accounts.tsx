import { useMemo, useState } from 'preact/hooks';
import type { RouteProps } from '../app';
import { Accounts, ConsumerKeys } from '../api/endpoints';
import type { Account, KeySummary } from '../api/types';
import { DataTable, ResourceList } from '../components/data';
import { FormDialog } from '../components/forms';
import { Button, Card, PageHeader, StateBadge, TextField } from '../components/ui';
import { notify } from '../lib/announce';
import { formatDate, relativeTime } from '../lib/format';
import { useAsync } from '../lib/hooks';
import { summarise } from '../lib/keys';
import { Link, navigate } from '../lib/router';

interface Row extends Account {
  summary: KeySummary | null;
}

// Accounts with the state of their keys. When the list carries no summary, the
// keys of each account are fetched (a handful of parallel calls at a time).
async function loadRows(signal: AbortSignal): Promise<Row[]> {
  const accounts = await Accounts.list();
  const rows: Row[] = accounts.map((a) => ({
    ...a,
    summary: a.keySummary ?? (a.consumerKeys ? summarise(a.consumerKeys) : null),
  }));
  const missing = rows.filter((r) => !r.summary);
  for (let i = 0; i < missing.length && !signal.aborted; i += 6) {
    await Promise.all(
      missing.slice(i, i + 6).map(async (r) => {
        try {
          r.summary = summarise(await ConsumerKeys.list(r.id));
        } catch {
          r.summary = null;
        }
      }),
    );
  }
  return rows;
}

export function KeySummaryBadges(props: { summary: KeySummary | null }) {
  const s = props.summary;
  if (!s) return <span class="muted small">unknown</span>;
  if (!s.total) return <StateBadge state="none" label="no keys" />;
  return (
    <span class="badges">
      {!!s.validated && <StateBadge state="validated" label={`${s.validated} validated`} />}
      {!!s.expiringSoon && <StateBadge state="expiringSoon" label={`${s.expiringSoon} expiring soon`} />}
      {!!s.pending && <StateBadge state="pendingValidation" label={`${s.pending} pending`} />}
      {!!s.expired && <StateBadge state="expired" label={`${s.expired} expired`} />}
      {!s.validated && !s.expiringSoon && !s.pending && !s.expired && (
        <StateBadge state="none" label="none active" />
      )}
    </span>
  );
}

export function AccountsPage({ me }: RouteProps) {
  const rows = useAsync(loadRows, []);
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState('all');
  const [creating, setCreating] = useState(false);

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (rows.data ?? []).filter((r) => {
      const text = [r.displayName, r.nichandle, r.contactName, r.contactEmail, ...(r.tags ?? [])]
        .join(' ')
        .toLowerCase();
      if (q && !text.includes(q)) return false;
      const s = r.summary;
      if (filter === 'expiring') return Boolean(s?.expiringSoon);
      if (filter === 'pending') return Boolean(s?.pending);
      if (filter === 'expired') return Boolean(s?.expired);
      if (filter === 'none') return !s?.validated && !s?.expiringSoon;
      return true;
    });
  }, [rows.data, query, filter]);

  const totals = useMemo(() => {
    const t = { accounts: 0, validated: 0, expiringSoon: 0, pending: 0 };
    for (const r of rows.data ?? []) {
      t.accounts++;
      t.validated += r.summary?.validated ?? 0;
      t.expiringSoon += r.summary?.expiringSoon ?? 0;
      t.pending += r.summary?.pending ?? 0;
    }
    return t;
  }, [rows.data]);

  return (
    <>
      <PageHeader
        title="Delegated accounts"
        subtitle="Customer OVHcloud accounts the agency works on, and the state of their consumer keys."
        actions={
          me.role === 'admin' && (
            <Button variant="primary" onClick={() => setCreating(true)}>
              New account
            </Button>
          )
        }
      />
      <div class="grid-3" style={{ gridTemplateColumns: 'repeat(4, 1fr)' }}>
        {[
          ['Accounts', totals.accounts],
          ['Validated keys', totals.validated],
          ['Expiring soon', totals.expiringSoon],
          ['Awaiting validation', totals.pending],
        ].map(([label, n]) => (
          <div class="card" key={label}>
            <div class="stat">{rows.data ? n : '…'}</div>
            <div class="stat-label">{label}</div>
          </div>
        ))}
      </div>
      <Card>
        <div class="toolbar" role="search">
          <TextField
            label="Search"
            type="search"
            value={query}
            onValue={setQuery}
            placeholder="Name, nichandle, contact, tag"
            name="search"
          />
          <div class="field">
            <label for="key-filter">Keys</label>
            <select
              id="key-filter"
              value={filter}
              onChange={(e) => setFilter((e.currentTarget as HTMLSelectElement).value)}
            >
              <option value="all">All accounts</option>
              <option value="expiring">With keys expiring soon</option>
              <option value="pending">With keys awaiting validation</option>
              <option value="expired">With expired keys</option>
              <option value="none">Without a usable key</option>
            </select>
          </div>
          <p class="muted small" aria-live="polite" style={{ marginLeft: 'auto' }}>
            {rows.data ? `${shown.length} of ${rows.data.length} accounts` : ''}
          </p>
        </div>
        <ResourceList
          resource={rows}
          items={shown}
          errorTitle="Could not load the accounts"
          empty={
            rows.data?.length
              ? 'No account matches.'
              : 'No delegated account yet. Create one to request its first consumer key.'
          }
        >
          {(items) => (
            <DataTable
              rows={items}
              rowKey={(r) => r.id}
              columns={[
                {
                  header: 'Account',
                  cell: (r) => (
                    <>
                      <Link href={`/accounts/${r.id}`}>{r.displayName}</Link>
                      {r.tags?.length > 0 && <div class="muted small">{r.tags.join(', ')}</div>}
                    </>
                  ),
                },
                {
                  header: 'OVHcloud nichandle',
                  cell: (r) =>
                    r.nichandle ? <code>{r.nichandle}</code> : <span class="muted">not known yet</span>,
                },
                { header: 'Consumer keys', cell: (r) => <KeySummaryBadges summary={r.summary} /> },
                {
                  header: 'Next expiry',
                  title: (r) => formatDate(r.summary?.nextExpiry),
                  cell: (r) => (r.summary?.nextExpiry ? relativeTime(r.summary.nextExpiry) : '—'),
                },
                { header: 'Contact', cell: (r) => r.contactName ?? r.contactEmail ?? '—' },
              ]}
            />
          )}
        </ResourceList>
      </Card>
      <AccountDialog
        open={creating}
        onClose={() => setCreating(false)}
        onSaved={(a) => {
          setCreating(false);
          notify(`Account “${a.displayName}” created`);
          navigate(`/accounts/${a.id}`);
        }}
      />
    </>
  );
}

export function AccountDialog(props: {
  open: boolean;
  account?: Account;
  onClose: () => void;
  onSaved: (a: Account) => void;
}) {
  const a = props.account;
  const [displayName, setDisplayName] = useState(a?.displayName ?? '');
  const [contactName, setContactName] = useState(a?.contactName ?? '');
  const [contactEmail, setContactEmail] = useState(a?.contactEmail ?? '');
  const [tags, setTags] = useState((a?.tags ?? []).join(', '));
  const [notes, setNotes] = useState(a?.notes ?? '');
  return (
    <FormDialog
      open={props.open}
      title={a ? 'Edit account' : 'New delegated account'}
      onClose={props.onClose}
      errorTitle="Could not save"
      submitLabel={a ? 'Save' : 'Create account'}
      onSubmit={async () => {
        const body = {
          displayName: displayName.trim(),
          contactName: contactName.trim() || undefined,
          contactEmail: contactEmail.trim() || undefined,
          notes: notes.trim() || undefined,
          tags: tags
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean),
        };
        props.onSaved(a ? await Accounts.update(a.id, body) : await Accounts.create(body));
      }}
    >
      <TextField
        label="Name"
        value={displayName}
        onValue={setDisplayName}
        required
        name="displayName"
        hint="How the agency calls this customer."
      />
      <div class="grid-2">
        <TextField label="Contact name" value={contactName} onValue={setContactName} name="contactName" />
        <TextField
          label="Contact email"
          type="email"
          value={contactEmail}
          onValue={setContactEmail}
          name="contactEmail"
        />
      </div>
      <TextField label="Tags" value={tags} onValue={setTags} name="tags" hint="Comma-separated." />
      <div class="field">
        <label for="account-notes">Notes</label>
        <textarea
          id="account-notes"
          rows={3}
          value={notes}
          onInput={(e) => setNotes((e.currentTarget as HTMLTextAreaElement).value)}
        />
      </div>
    </FormDialog>
  );
}
