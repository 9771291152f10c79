import type { ComponentType } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { loadMe } from './api/me';
import { type Me, session, sessionState } from './api/session';
import { Shell } from './components/shell';
import { Loading } from './components/ui';
import { location as locationStore, matchPath, navigate, useLocation } from './lib/router';
import { useStore } from './lib/store';
import { AccountPage } from './pages/account';
import { AccountsPage } from './pages/accounts';
import { ApplicationsPage } from './pages/applications';
import { AuditPage } from './pages/audit';
import { ConsolePage } from './pages/console';
import { ConsumerKeyPage } from './pages/consumer-key';
import { GrantPage } from './pages/grant';
import { HygienePage } from './pages/hygiene';
import { LoginPage } from './pages/login';
import { MyAccountPage } from './pages/my-account';
import { NewConsumerKeyPage } from './pages/new-consumer-key';
import { NewGrantPage } from './pages/new-grant';
import { NotFoundPage } from './pages/not-found';
import { OperatorsPage } from './pages/operators';
import { SecuritySettingsPage } from './pages/security-settings';
import { SetupPage } from './pages/setup';
import { TwoFactorEnrolPage } from './pages/two-factor-enrol';
import { WebhooksPage } from './pages/webhooks';

export interface RouteProps {
  params: Record<string, string>;
  me: Me;
}

interface RouteDef {
  pattern: string;
  component: ComponentType<RouteProps>;
  title: string;
  adminOnly?: boolean;
}

export const ROUTES: RouteDef[] = [
  { pattern: '/accounts', component: AccountsPage, title: 'Delegated accounts' },
  { pattern: '/accounts/:id', component: AccountPage, title: 'Account' },
  {
    pattern: '/accounts/:id/consumer-keys/new',
    component: NewConsumerKeyPage,
    title: 'Request a consumer key',
  },
  { pattern: '/accounts/:id/consumer-keys/:ckId', component: ConsumerKeyPage, title: 'Consumer key' },
  { pattern: '/accounts/:id/grants/new', component: NewGrantPage, title: 'Issue a grant' },
  { pattern: '/accounts/:id/grants/:grantId', component: GrantPage, title: 'Grant' },
  { pattern: '/console', component: ConsolePage, title: 'API console' },
  { pattern: '/hygiene', component: HygienePage, title: 'Credential hygiene' },
  { pattern: '/audit', component: AuditPage, title: 'Audit log' },
  { pattern: '/applications', component: ApplicationsPage, title: 'Application keys', adminOnly: true },
  { pattern: '/operators', component: OperatorsPage, title: 'Operators', adminOnly: true },
  { pattern: '/webhooks', component: WebhooksPage, title: 'Webhooks', adminOnly: true },
  {
    pattern: '/settings/security',
    component: SecuritySettingsPage,
    title: 'Security settings',
    adminOnly: true,
  },
  { pattern: '/me', component: MyAccountPage, title: 'My account' },
];

const PUBLIC_PATHS = ['/login', '/setup'];

// Moves focus to the new page's heading after navigation, so keyboard and
// screen-reader users land at the top of the content they asked for.
function useFocusOnNavigate(path: string) {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const t = window.setTimeout(() => {
      const h = document.querySelector<HTMLElement>('[data-page-title]');
      (h ?? document.getElementById('main'))?.focus();
    }, 50);
    return () => window.clearTimeout(t);
  }, [path]);
}

export function App() {
  const state = useStore(sessionState);
  const loc = useLocation();
  useFocusOnNavigate(loc.path);

  useEffect(() => {
    if (session.hasRefreshToken()) {
      loadMe().catch(() => session.expire());
    } else {
      sessionState.set({ status: 'anonymous' });
    }
  }, []);

  useEffect(() => {
    const name = ROUTES.find((r) => matchPath(r.pattern, loc.path))?.title;
    document.title = `${name ?? (loc.path === '/setup' ? 'Setup' : 'Sign in')} · OVHcloud credential broker`;
  }, [loc.path]);

  // Anonymous visitors of a private page go to login, and come back after.
  useEffect(() => {
    if (state.status === 'anonymous' && !PUBLIC_PATHS.includes(loc.path)) {
      const next = loc.path === '/' ? '' : `?next=${encodeURIComponent(loc.path + window.location.search)}`;
      navigate(`/login${next}`, { replace: true });
    }
    if (state.status === 'authenticated') {
      if (state.me.restricted && loc.path !== '/2fa/enrol') navigate('/2fa/enrol', { replace: true });
      else if (!state.me.restricted && (loc.path === '/' || PUBLIC_PATHS.includes(loc.path)))
        navigate(safeNext(locationStore.get().query.get('next')) ?? '/accounts', { replace: true });
    }
  }, [state.status, loc.path]);

  if (state.status === 'loading') return <Loading label="Opening your session…" />;
  if (state.status === 'anonymous') {
    if (loc.path === '/setup') return <SetupPage />;
    return <LoginPage message={state.message} />;
  }
  const me = state.me;
  if (loc.path === '/2fa/enrol') return <TwoFactorEnrolPage me={me} />;
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, loc.path);
    if (!params) continue;
    const Page = route.component;
    return (
      <Shell me={me}>
        {route.adminOnly && me.role !== 'admin' ? (
          <NotFoundPage forbidden />
        ) : (
          <Page params={params} me={me} />
        )}
      </Shell>
    );
  }
  return (
    <Shell me={me}>
      <NotFoundPage />
    </Shell>
  );
}

// Only same-origin paths: an attacker's ?next=https://evil must not redirect.
function safeNext(next: string | null): string | null {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : null;
}
