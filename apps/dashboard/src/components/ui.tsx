import type {
  ButtonHTMLAttributes,
  ComponentChildren,
  InputHTMLAttributes,
  PartialInputHTMLAttributes,
} from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../api/client';
import { notify } from '../lib/announce';
import { useId } from '../lib/hooks';

export function PageHeader(props: {
  title: string;
  subtitle?: ComponentChildren;
  actions?: ComponentChildren;
}) {
  return (
    <header class="page-header">
      <div>
        <h1 tabIndex={-1} data-page-title>
          {props.title}
        </h1>
        {props.subtitle && <p class="subtitle">{props.subtitle}</p>}
      </div>
      {props.actions && <div class="actions">{props.actions}</div>}
    </header>
  );
}

export function Card(props: {
  title?: string;
  children: ComponentChildren;
  actions?: ComponentChildren;
  class?: string;
}) {
  const id = useId('card');
  return (
    <section class={`card ${props.class ?? ''}`} aria-labelledby={props.title ? id : undefined}>
      {(props.title || props.actions) && (
        <div class="card-header">
          {props.title && <h2 id={id}>{props.title}</h2>}
          {props.actions && <div class="actions">{props.actions}</div>}
        </div>
      )}
      {props.children}
    </section>
  );
}

type ButtonProps = Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'type' | 'disabled'> & {
  variant?: 'primary' | 'secondary' | 'danger' | 'ghost';
  busy?: boolean;
  type?: 'button' | 'submit' | 'reset';
  disabled?: boolean;
  small?: boolean;
};

export function Button({
  variant = 'secondary',
  busy,
  disabled,
  type = 'button',
  small,
  children,
  ...rest
}: ButtonProps) {
  return (
    <button
      type={type}
      class={`btn btn-${variant}${small ? ' btn-small' : ''}`}
      disabled={disabled || busy}
      aria-busy={busy ? 'true' : undefined}
      {...rest}
    >
      {busy && <span class="spinner" aria-hidden="true" />}
      {children}
    </button>
  );
}

export function Field(props: {
  label: string;
  hint?: ComponentChildren;
  error?: string;
  children: (id: string, describedBy: string | undefined) => ComponentChildren;
  class?: string;
}) {
  const id = useId('field');
  const hintId = props.hint ? `${id}-hint` : '';
  const errId = props.error ? `${id}-err` : '';
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field ${props.error ? 'has-error' : ''} ${props.class ?? ''}`}>
      <label for={id}>{props.label}</label>
      {props.children(id, describedBy)}
      {props.hint && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={errId}>
          {props.error}
        </p>
      )}
    </div>
  );
}

type InputProps = Omit<
  PartialInputHTMLAttributes<HTMLInputElement>,
  'value' | 'onInput' | 'type' | 'role'
> & {
  value: string;
  onValue: (v: string) => void;
  type?: string;
  required?: boolean;
  placeholder?: string;
  autoComplete?: string;
};

export function TextField({
  label,
  hint,
  error,
  value,
  onValue,
  ...rest
}: InputProps & { label: string; hint?: ComponentChildren; error?: string }) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(id, describedBy) => (
        <input
          {...({
            id,
            value,
            onInput: (e: Event) => onValue((e.currentTarget as HTMLInputElement).value),
            'aria-describedby': describedBy,
            'aria-invalid': error ? 'true' : undefined,
            ...rest,
          } as InputHTMLAttributes<HTMLInputElement>)}
        />
      )}
    </Field>
  );
}

export function SelectField(props: {
  label: string;
  value: string;
  onValue: (v: string) => void;
  options: { value: string; label: string }[];
  hint?: ComponentChildren;
  error?: string;
  required?: boolean;
  name?: string;
}) {
  return (
    <Field label={props.label} hint={props.hint} error={props.error}>
      {(id, describedBy) => (
        <select
          id={id}
          name={props.name}
          value={props.value}
          required={props.required}
          aria-describedby={describedBy}
          aria-invalid={props.error ? 'true' : undefined}
          onChange={(e) => props.onValue((e.currentTarget as HTMLSelectElement).value)}
        >
          {props.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function ErrorBanner(props: { error: unknown; title?: string }) {
  if (!props.error) return null;
  const e = props.error;
  const fields = e instanceof ApiError ? e.fieldErrors() : {};
  return (
    <div class="alert alert-error" role="alert">
      <strong>{props.title ?? 'Something went wrong'}:</strong> {errorMessage(e)}
      {Object.keys(fields).length > 0 && (
        <ul>
          {Object.entries(fields).map(([k, v]) => (
            <li key={k}>
              <code>{k}</code>: {v}
            </li>
          ))}
        </ul>
      )}
      {e instanceof ApiError && (
        <div class="muted small">
          {e.code}
          {e.requestId ? ` · request ${e.requestId}` : ''}
        </div>
      )}
    </div>
  );
}

export function Loading(props: { label?: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" /> {props.label ?? 'Loading…'}
    </p>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="empty">{props.children}</p>;
}

const BADGE_TONES: Record<string, string> = {
  validated: 'ok',
  active: 'ok',
  enabled: 'ok',
  success: 'ok',
  delivered: 'ok',
  pendingValidation: 'warn',
  pending: 'warn',
  requesting: 'warn',
  expiringSoon: 'warn',
  revocationPending: 'warn',
  denied: 'warn',
  expired: 'bad',
  revoked: 'bad',
  refused: 'bad',
  abandoned: 'muted',
  requestFailed: 'bad',
  failure: 'bad',
  failed: 'bad',
  disabled: 'muted',
  none: 'muted',
  'severity-high': 'bad',
  'severity-medium': 'warn',
  'severity-low': 'muted',
  running: 'warn',
  done: 'ok',
};

const BADGE_LABELS: Record<string, string> = {
  pendingValidation: 'pending validation',
  requestFailed: 'request failed',
  revocationPending: 'revocation pending',
  expiringSoon: 'expiring soon',
};

export function StateBadge(props: { state: string; label?: string }) {
  const tone = BADGE_TONES[props.state] ?? 'muted';
  return <span class={`badge badge-${tone}`}>{props.label ?? BADGE_LABELS[props.state] ?? props.state}</span>;
}

async function writeClipboard(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Plain-HTTP deployments have no async clipboard: fall back to a hidden selection.
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  try {
    document.execCommand('copy');
  } finally {
    area.remove();
  }
}

export function CopyButton(props: { text: string; label?: string; what?: string; small?: boolean }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      small={props.small ?? true}
      aria-label={props.what ? `Copy ${props.what}` : undefined}
      onClick={async () => {
        try {
          await writeClipboard(props.text);
          setCopied(true);
          notify(
            `${props.what ? props.what[0].toUpperCase() + props.what.slice(1) : 'Value'} copied to the clipboard`,
            'info',
            2500,
          );
          window.setTimeout(() => setCopied(false), 2000);
        } catch (e) {
          notify(`Copy failed: ${errorMessage(e)}`, 'error');
        }
      }}
    >
      {copied ? 'Copied' : (props.label ?? 'Copy')}
    </Button>
  );
}

// A value shown with a copy button; `secret` values are in a monospace box.
export function CopyField(props: { label: string; value: string; secret?: boolean; what?: string }) {
  const id = useId('copy');
  return (
    <div class="copy-field">
      <span class="copy-label" id={id}>
        {props.label}
      </span>
      <div class="copy-row">
        <code class={props.secret ? 'secret' : ''} aria-labelledby={id} data-copy-value={props.label}>
          {props.value}
        </code>
        <CopyButton text={props.value} what={props.what ?? props.label.toLowerCase()} />
      </div>
    </div>
  );
}

// Native <dialog>: the browser traps focus, closes on Escape and restores focus on close.
export function Dialog(props: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId('dlg');
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog
      ref={ref}
      class={`dialog${props.wide ? ' dialog-wide' : ''}`}
      aria-labelledby={id}
      onClose={() => props.open && props.onClose()}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      {props.open && (
        <>
          <div class="dialog-header">
            <h2 id={id}>{props.title}</h2>
            <button type="button" class="icon-btn" aria-label="Close" onClick={props.onClose}>
              ×
            </button>
          </div>
          <div class="dialog-body">{props.children}</div>
        </>
      )}
    </dialog>
  );
}

export function ConfirmButton(props: {
  label: string;
  confirmTitle: string;
  confirmText: ComponentChildren;
  confirmLabel?: string;
  onConfirm: () => Promise<void>;
  variant?: 'danger' | 'secondary' | 'primary';
  small?: boolean;
  disabled?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      <Button
        variant={props.variant ?? 'danger'}
        small={props.small}
        disabled={props.disabled}
        onClick={() => {
          setError(null);
          setOpen(true);
        }}
      >
        {props.label}
      </Button>
      <Dialog open={open} title={props.confirmTitle} onClose={() => !busy && setOpen(false)}>
        <div class="confirm-text">{props.confirmText}</div>
        <ErrorBanner error={error} />
        <div class="form-actions">
          <Button onClick={() => setOpen(false)} disabled={busy}>
            Cancel
          </Button>
          <Button
            variant={props.variant ?? 'danger'}
            busy={busy}
            onClick={async () => {
              setBusy(true);
              setError(null);
              try {
                await props.onConfirm();
                setOpen(false);
              } catch (e) {
                setError(e);
              } finally {
                setBusy(false);
              }
            }}
          >
            {props.confirmLabel ?? props.label}
          </Button>
        </div>
      </Dialog>
    </>
  );
}

export function DefinitionList(props: { items: [string, ComponentChildren][] }) {
  return (
    <dl class="deflist">
      {props.items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v ?? '—'}</dd>
        </div>
      ))}
    </dl>
  );
}

export function SecretNotice() {
  return (
    <div class="alert alert-warn" role="note">
      <strong>Shown once.</strong> Copy these values now: the broker keeps only what it needs to verify them
      and cannot show them again.
    </div>
  );
}
