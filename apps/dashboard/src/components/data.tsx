import type { ComponentChildren } from 'preact';
import { errorMessage, type RequestOptions, saveDownload } from '../api/client';
import { notify } from '../lib/announce';
import { type Async, useSubmit } from '../lib/hooks';
import { Button, Card, CopyField, Empty, ErrorBanner, Loading, SecretNotice } from './ui';

export interface Column<T> {
  header: string;
  cell: (row: T) => ComponentChildren;
  class?: string;
  title?: (row: T) => string | undefined;
}

// A data table: column headers with scope, one row per item, an optional actions column.
export function DataTable<T>(props: {
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  actions?: (row: T) => ComponentChildren;
  caption?: string;
}) {
  return (
    <div class="table-wrap">
      <table class="data">
        {props.caption && <caption class="sr-only">{props.caption}</caption>}
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th scope="col" key={c.header}>
                {c.header}
              </th>
            ))}
            {props.actions && (
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={props.rowKey(row)}>
              {props.columns.map((c) => (
                <td key={c.header} class={c.class} title={c.title?.(row)}>
                  {c.cell(row)}
                </td>
              ))}
              {props.actions && (
                <td>
                  <div class="actions">{props.actions(row)}</div>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// The loading / error / empty / loaded states of a list fetched with useAsync.
export function ResourceList<T>(props: {
  resource: Async<T[]>;
  errorTitle?: string;
  empty: ComponentChildren;
  // The items to show when they differ from the resource's (e.g. filtered).
  items?: T[];
  children: (items: T[]) => ComponentChildren;
}) {
  const r = props.resource;
  const items = props.items ?? r.data;
  return (
    <>
      <ErrorBanner error={r.error} title={props.errorTitle} />
      {!r.data ? (
        r.error ? null : (
          <Loading />
        )
      ) : !items || items.length === 0 ? (
        <Empty>{props.empty}</Empty>
      ) : (
        props.children(items)
      )}
    </>
  );
}

// A secret the broker shows once (initial password, token, signing secret), with a Done button.
export function SecretOnce(props: {
  title?: string;
  label: string;
  value: string;
  what: string;
  note?: ComponentChildren;
  onDone: () => void;
}) {
  const body = (
    <>
      <SecretNotice />
      <CopyField label={props.label} value={props.value} secret what={props.what} />
      {props.note && <p class="muted small">{props.note}</p>}
      <Button small onClick={props.onDone}>
        Done
      </Button>
    </>
  );
  return props.title ? (
    <Card title={props.title}>{body}</Card>
  ) : (
    <div class="stack" style={{ marginBottom: '1rem' }}>
      {body}
    </div>
  );
}

// An immediate action from a table row: announces success or the failure, then reloads.
export async function act(action: () => Promise<unknown>, success: string, after?: () => Promise<void>) {
  try {
    await action();
    notify(success);
  } catch (e) {
    notify(errorMessage(e), 'error');
  }
  await after?.();
}

// Downloads an export with the session's token (a plain link could not send it).
export function ExportButton(props: {
  path: string;
  query?: RequestOptions['query'];
  filename: string;
  label: string;
  done: string;
}) {
  const exporting = useSubmit(async () => {
    try {
      await saveDownload(props.path, props.query, props.filename);
      notify(props.done);
    } catch (e) {
      notify(`Export failed: ${errorMessage(e)}`, 'error');
    }
  });
  return (
    <Button busy={exporting.busy} onClick={() => void exporting.run()}>
      {props.label}
    </Button>
  );
}
