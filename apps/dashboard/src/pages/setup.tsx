import { useState } from 'preact/hooks';
import { loadMe } from '../api/me';
import { Auth } from '../api/endpoints';
import { session } from '../api/session';
import { Button, ErrorBanner, TextField } from '../components/ui';
import { useSubmit } from '../lib/hooks';
import { Link, navigate } from '../lib/router';
import { AuthLayout } from './login';

export function SetupPage() {
  const [setupToken, setSetupToken] = useState('');
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [done, setDone] = useState(false);
  const mismatch = confirm !== '' && confirm !== password;

  const submit = useSubmit(async () => {
    const result = await Auth.setup({
      setupToken: setupToken.trim(),
      email: email.trim(),
      displayName: displayName.trim(),
      password,
    });
    if (result.accessToken) {
      session.signIn({ ...result, accessToken: result.accessToken });
      await loadMe();
    } else setDone(true);
  });

  if (done) {
    return (
      <AuthLayout title="Administrator created">
        <div class="alert alert-ok" role="status">
          The first administrator, {email}, is ready. Sign in to continue; you will be asked to set up
          two-factor authentication.
        </div>
        <Button variant="primary" onClick={() => navigate('/login')}>
          Go to sign in
        </Button>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="First-time setup"
      intro="Create the first administrator. The one-time setup token is printed in the broker's log at start-up while no operator exists."
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!mismatch) void submit.run();
        }}
        noValidate
      >
        <ErrorBanner error={submit.error} title="Setup failed" />
        <TextField
          label="Setup token"
          value={setupToken}
          onValue={setSetupToken}
          autoComplete="off"
          required
          name="setupToken"
        />
        <TextField
          label="Your name"
          value={displayName}
          onValue={setDisplayName}
          autoComplete="name"
          required
          name="displayName"
        />
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
          autoComplete="new-password"
          hint="At least 12 characters. A passphrase is best."
          required
          name="password"
        />
        <TextField
          label="Confirm password"
          type="password"
          value={confirm}
          onValue={setConfirm}
          autoComplete="new-password"
          error={mismatch ? 'The two passwords differ.' : undefined}
          required
          name="confirmPassword"
        />
        <Button type="submit" variant="primary" busy={submit.busy} disabled={mismatch}>
          Create administrator
        </Button>
      </form>
      <p class="small muted">
        Already set up? <Link href="/login">Sign in</Link>.
      </p>
    </AuthLayout>
  );
}
