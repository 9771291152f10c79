import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { ConsumerKeys, type KeyImport } from '../api/endpoints';
import type { ConsumerKey } from '../api/types';
import { FormDialog } from '../components/forms';
import { Field, SelectField, TextField } from '../components/ui';
import { Link } from '../lib/router';

type Imported = ConsumerKey & { applicationRegistered: boolean };

// What to do about each refusal (docs/key-import.md); the message says why.
const REFUSAL_HELP: Record<string, string> = {
  KEY_IMPORT_CREDENTIAL_INVALID:
    'OVHcloud no longer accepts this key. Ask the customer for a current one, or request a new key from the broker.',
  KEY_IMPORT_NOT_VALIDATED:
    'The customer has not validated this key yet: they must open its validation link first.',
  KEY_IMPORT_CREDENTIAL_UNKNOWN:
    'Check that the consumer key was created with this application key (and on this endpoint).',
  KEY_IMPORT_APPLICATION_KEY_UNKNOWN:
    'An application key exists on one endpoint only: check the endpoint (ovh-eu, ovh-ca, ovh-us…) and the key.',
  KEY_IMPORT_APPLICATION_SECRET_WRONG: 'Check the application secret that goes with this application key.',
  KEY_IMPORT_IP_NOT_ALLOWED:
    "The key is restricted to other addresses than the broker's: request a new key through the broker instead.",
  KEY_IMPORT_UPSTREAM_UNAVAILABLE: 'Nothing was stored. Try again in a moment.',
  KEY_IMPORT_UPSTREAM_REFUSED: 'Nothing was stored. The details below are what OVHcloud answered.',
  KEY_IMPORT_APPLICATION_SECRET_MISMATCH:
    'This application key is registered with another secret; an import never replaces a stored secret. Check the secret, or ask an admin.',
  KEY_IMPORT_APPLICATION_NOT_REGISTERED:
    'Only an admin can import a key of an application the broker does not know yet: ask an admin, or to register the application first.',
  KEY_IMPORT_CONFIG_INVALID:
    'Check the endpoint and that all four values (or the ovh.conf content) are there.',
  KEY_IMPORT_KEY_FORMAT:
    'Application key: 16 letters or digits; application secret: 32; consumer key: 16 to 64.',
  APPLICATION_DISABLED: 'The application of this key is disabled in the broker: an admin can re-register it.',
};

function RefusalHelp(props: { error: unknown; accountId: string }) {
  const e = props.error;
  if (!(e instanceof ApiError)) return null;
  const existing = (e.details as { existingKeyId?: string } | undefined)?.existingKeyId;
  const upstream = (e.details as { upstreamMessage?: string } | undefined)?.upstreamMessage;
  if (e.code === 'CONSUMER_KEY_ALREADY_MANAGED' && existing)
    return (
      <p class="hint">
        <Link href={`/accounts/${props.accountId}/consumer-keys/${existing}`}>
          Open the key the broker already manages
        </Link>
        .
      </p>
    );
  const help = REFUSAL_HELP[e.code];
  if (!help && !upstream) return null;
  return (
    <p class="hint" data-testid="import-refusal-help">
      {help}
      {upstream && (
        <>
          {' '}
          OVHcloud said: <code>{upstream}</code>
        </>
      )}
    </p>
  );
}

const VALIDITY = [
  { value: 'keep', label: 'As OVHcloud holds it' },
  { value: '2592000', label: '30 days from now' },
  { value: '7776000', label: '90 days from now' },
  { value: '31536000', label: '1 year from now' },
];

// An existing key (from a script, an ovh.conf, CI variables) brought under management.
// OVHcloud checks it before anything is stored.
export function ImportKeyDialog(props: {
  accountId: string;
  onClose: () => void;
  onImported: (key: Imported) => void;
}) {
  const [mode, setMode] = useState<'triple' | 'conf'>('triple');
  const [endpoint, setEndpoint] = useState('ovh-eu');
  const [applicationKey, setApplicationKey] = useState('');
  const [applicationSecret, setApplicationSecret] = useState('');
  const [consumerKey, setConsumerKey] = useState('');
  const [ovhConf, setOvhConf] = useState('');
  const [label, setLabel] = useState('');
  const [validity, setValidity] = useState('keep');
  return (
    <FormDialog
      wide
      title="Import an existing key"
      onClose={props.onClose}
      errorTitle="The key was not imported"
      errorHelp={(e) => <RefusalHelp error={e} accountId={props.accountId} />}
      submitLabel="Check and import"
      onSubmit={async () => {
        const source: KeyImport =
          mode === 'conf'
            ? { ovhConf }
            : {
                endpoint: endpoint.trim(),
                applicationKey: applicationKey.trim(),
                applicationSecret: applicationSecret.trim(),
                consumerKey: consumerKey.trim(),
              };
        props.onImported(
          await ConsumerKeys.import(props.accountId, {
            ...source,
            ...(label.trim() ? { label: label.trim() } : {}),
            ...(validity !== 'keep' ? { validitySeconds: Number(validity) } : {}),
          }),
        );
      }}
    >
      <p class="muted small">
        The broker checks the key with OVHcloud, then keeps it encrypted and manages it like the keys it
        requests: sync, expiry warnings, revocation, replacement by a narrower key. Nothing is stored if the
        check fails.
      </p>
      <fieldset>
        <legend>What you have</legend>
        <label class="check">
          <input
            type="radio"
            name="import-mode"
            checked={mode === 'triple'}
            onChange={() => setMode('triple')}
          />
          The endpoint and the three keys
        </label>
        <label class="check">
          <input type="radio" name="import-mode" checked={mode === 'conf'} onChange={() => setMode('conf')} />
          The content of an <code>ovh.conf</code> file
        </label>
      </fieldset>
      {mode === 'triple' ? (
        <>
          <TextField
            label="Endpoint"
            value={endpoint}
            onValue={setEndpoint}
            required
            name="endpoint"
            hint="A name such as ovh-eu, or a base URL (https://…/1.0)."
          />
          <div class="grid-2">
            <TextField
              label="Application key"
              value={applicationKey}
              onValue={setApplicationKey}
              autoComplete="off"
              required
              name="applicationKey"
            />
            <TextField
              label="Application secret"
              type="password"
              value={applicationSecret}
              onValue={setApplicationSecret}
              autoComplete="off"
              required
              name="applicationSecret"
            />
          </div>
          <TextField
            label="Consumer key"
            type="password"
            value={consumerKey}
            onValue={setConsumerKey}
            autoComplete="off"
            required
            name="consumerKey"
            hint="Encrypted on arrival; it cannot be read back."
          />
        </>
      ) : (
        <Field
          label="ovh.conf content"
          hint="The [default] section names the endpoint; its section holds the keys."
        >
          {(id, describedBy) => (
            <textarea
              id={id}
              class="mono"
              rows={7}
              value={ovhConf}
              aria-describedby={describedBy}
              placeholder={
                '[default]\nendpoint=ovh-eu\n\n[ovh-eu]\napplication_key=…\napplication_secret=…\nconsumer_key=…'
              }
              onInput={(e) => setOvhConf((e.currentTarget as HTMLTextAreaElement).value)}
            />
          )}
        </Field>
      )}
      <div class="grid-2">
        <TextField
          label="Label"
          value={label}
          onValue={setLabel}
          name="label"
          hint="Optional, e.g. “billing script”."
        />
        <SelectField
          label="Expiry"
          value={validity}
          onValue={setValidity}
          options={VALIDITY}
          hint="The broker can put an end date on a key OVHcloud holds as unlimited."
        />
      </div>
    </FormDialog>
  );
}
