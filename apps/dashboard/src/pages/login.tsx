import { useEffect, useRef, useState } from 'preact/hooks';
import { loadMe } from '../api/me';
import { ApiError } from '../api/client';
import { Auth } from '../api/endpoints';
import { session } from '../api/session';
import { Button, ErrorBanner, TextField } from '../components/ui';
import { useSubmit } from '../lib/hooks';
import { Link } from '../lib/router';

export function AuthLayout(props: {
  title: string;
  intro?: string;
  children: preact.ComponentChildren;
  wide?: boolean;
}) {
  return (
    <div class="auth-page">
      <main class={`auth-card${props.wide ? ' auth-card-wide' : ''}`} id="main">
        <div class="brand-line">
          <span class="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          OVHcloud credential broker
        </div>
        <h1 tabIndex={-1} data-page-title>
          {props.title}
        </h1>
        {props.intro && <p class="muted">{props.intro}</p>}
        {props.children}
      </main>
    </div>
  );
}

export function LoginPage(props: { message?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [useRecovery, setUseRecovery] = useState(false);
  const codeRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (mfaToken) codeRef.current?.querySelector('input')?.focus();
  }, [mfaToken, useRecovery]);

  async function finish(tokens: Parameters<typeof session.signIn>[0]) {
    session.signIn(tokens);
    await loadMe();
  }

  // One submit for both steps: the password, then the second factor.
  const submit = useSubmit(async () => {
    if (!mfaToken) {
      const result = await Auth.login(email.trim(), password);
      if (result.mfaRequired) {
        setMfaToken(result.mfaToken);
        setPassword('');
      } else await finish(result);
      return;
    }
    const factor = useRecovery ? { recoveryCode: code.trim() } : { code: code.replace(/\s+/g, '') };
    try {
      await finish(await Auth.verify2fa(mfaToken, factor));
    } catch (err) {
      // An expired or used-up challenge: start again from the password.
      if (err instanceof ApiError && err.status === 401 && /expired|challenge/i.test(err.message))
        setCode('');
      throw err;
    }
  });
  const onSubmit = (e: Event) => {
    e.preventDefault();
    void submit.run();
  };
  const { busy, error } = submit;

  if (mfaToken) {
    return (
      <AuthLayout
        title="Two-factor authentication"
        intro={
          useRecovery
            ? 'Enter one of the recovery codes you saved when you set up two-factor authentication. Each code works once.'
            : 'Enter the 6-digit code from your authenticator app.'
        }
      >
        <form onSubmit={onSubmit} noValidate>
          <ErrorBanner error={error} title="Sign-in failed" />
          <div ref={codeRef}>
            {useRecovery ? (
              <TextField
                label="Recovery code"
                value={code}
                onValue={setCode}
                autoComplete="off"
                required
                name="recoveryCode"
              />
            ) : (
              <TextField
                label="Authentication code"
                value={code}
                onValue={setCode}
                autoComplete="one-time-code"
                inputMode="numeric"
                pattern="[0-9 ]*"
                maxLength={8}
                required
                name="code"
              />
            )}
          </div>
          <Button type="submit" variant="primary" busy={busy}>
            Verify
          </Button>
        </form>
        <p class="small">
          <button
            type="button"
            class="btn btn-ghost btn-small"
            onClick={() => {
              setUseRecovery(!useRecovery);
              setCode('');
              submit.setError(null);
            }}
          >
            {useRecovery ? 'Use an authentication code instead' : 'Use a recovery code instead'}
          </button>{' '}
          <button
            type="button"
            class="btn btn-ghost btn-small"
            onClick={() => {
              setMfaToken(null);
              setCode('');
              submit.setError(null);
            }}
          >
            Start over
          </button>
        </p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title="Sign in" intro="Operators sign in with their email, password and second factor.">
      {props.message && (
        <div class="alert alert-info" role="status">
          {props.message}
        </div>
      )}
      <form onSubmit={onSubmit} noValidate>
        <ErrorBanner error={error} title="Sign-in failed" />
        <TextField
          label="Email"
          type="email"
          value={email}
          onValue={setEmail}
          autoComplete="username"
          required
          name="email"
        />
        <TextField
          label="Password"
          type="password"
          value={password}
          onValue={setPassword}
          autoComplete="current-password"
          required
          name="password"
        />
        <Button type="submit" variant="primary" busy={busy}>
          Sign in
        </Button>
      </form>
      <p class="small muted">
        First start of the broker? <Link href="/setup">Create the first administrator</Link> with the setup
        token printed in the server log.
      </p>
    </AuthLayout>
  );
}
