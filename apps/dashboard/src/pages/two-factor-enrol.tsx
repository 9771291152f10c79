import { loadMe } from '../api/me';
import type { Me } from '../api/session';
import { signOut } from '../components/shell';
import { TotpEnrolmentFlow } from '../components/totp-enrolment';
import { Button } from '../components/ui';
import { AuthLayout } from './login';

// Where a restricted session lands: 2FA is required and this operator has not enrolled yet.
export function TwoFactorEnrolPage(props: { me: Me }) {
  return (
    <AuthLayout
      wide
      title="Set up two-factor authentication"
      intro={`${props.me.email}: two-factor authentication is required before you can use the broker.`}
    >
      <TotpEnrolmentFlow
        onDone={async () => {
          const me = await loadMe().catch(() => null);
          // A session opened before enrolment may stay restricted: sign in again with the new factor.
          if (!me || me.restricted) await signOut();
        }}
      />
      <p class="small">
        <Button variant="ghost" small onClick={() => void signOut()}>
          Sign out
        </Button>
      </p>
    </AuthLayout>
  );
}
