import { useEffect, useState } from 'preact/hooks';
import { Auth, type TotpEnrolment } from '../api/endpoints';
import { useSubmit } from '../lib/hooks';
import { QrCode } from './qr';
import { RecoveryCodes } from './recovery-codes';
import { Button, CopyField, ErrorBanner, Loading, TextField } from './ui';

// Enrolment: start (server makes a pending secret), scan the QR, confirm one code, save recovery codes.
export function TotpEnrolmentFlow(props: { onDone: () => void; onCancel?: () => void }) {
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [code, setCode] = useState('');
  const [startError, setStartError] = useState<unknown>(null);
  const [codes, setCodes] = useState<string[] | null>(null);

  useEffect(() => {
    Auth.enrol2fa().then(setEnrolment, setStartError);
  }, []);

  const confirm = useSubmit(async () => {
    setCodes((await Auth.confirm2fa(code.replace(/\s+/g, ''))).recoveryCodes);
  });

  if (codes) return <RecoveryCodes codes={codes} onDone={props.onDone} />;
  if (!enrolment)
    return startError ? <ErrorBanner error={startError} title="Could not start enrolment" /> : <Loading />;

  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void confirm.run();
      }}
    >
      <ol class="stack" style={{ paddingLeft: '1.2rem' }}>
        <li>
          Scan this QR code with an authenticator app (FreeOTP, Aegis, 1Password, Google Authenticator…).
          <div style={{ margin: '0.75rem 0' }}>
            <QrCode
              text={enrolment.qrCodeDataUrl ?? enrolment.otpauthUri}
              label="QR code of the authenticator set-up link"
              size={176}
            />
          </div>
          <CopyField label="Or enter this key by hand" value={enrolment.secret} what="set-up key" />
        </li>
        <li>
          Enter the 6-digit code it shows to confirm.
          <ErrorBanner error={confirm.error} title="Confirmation failed" />
          <TextField
            label="Authentication code"
            value={code}
            onValue={setCode}
            autoComplete="one-time-code"
            inputMode="numeric"
            maxLength={8}
            required
            name="code"
          />
        </li>
      </ol>
      <div class="form-actions">
        {props.onCancel && <Button onClick={props.onCancel}>Cancel</Button>}
        <Button type="submit" variant="primary" busy={confirm.busy}>
          Confirm
        </Button>
      </div>
    </form>
  );
}
