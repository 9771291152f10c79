import { useState } from 'preact/hooks';
import { Button, CopyButton } from './ui';

// Recovery codes are shown once, right after enrolment; the operator saves them before moving on.
export function RecoveryCodes(props: { codes: string[]; onDone: () => void; doneLabel?: string }) {
  const [saved, setSaved] = useState(false);
  const text = props.codes.join('\n');
  const download = () => {
    const url = URL.createObjectURL(new Blob([`${text}\n`], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'broker-recovery-codes.txt';
    a.click();
    window.setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <div>
      <div class="alert alert-warn" role="note">
        <strong>Save your recovery codes now.</strong> Each one signs you in once if you lose your
        authenticator. They will not be shown again.
      </div>
      <ul class="recovery-codes" aria-label="Recovery codes">
        {props.codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <div class="actions">
        <CopyButton text={text} label="Copy codes" what="recovery codes" small={false} />
        <Button onClick={download}>Download .txt</Button>
      </div>
      <label class="check" style={{ marginTop: '1rem' }}>
        <input
          type="checkbox"
          checked={saved}
          onChange={(e) => setSaved((e.currentTarget as HTMLInputElement).checked)}
        />
        I have saved my recovery codes somewhere safe
      </label>
      <div class="form-actions">
        <Button variant="primary" disabled={!saved} onClick={props.onDone}>
          {props.doneLabel ?? 'Continue'}
        </Button>
      </div>
    </div>
  );
}
