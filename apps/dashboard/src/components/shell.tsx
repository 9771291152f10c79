import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Auth } from '../api/endpoints';
import { type Me, session } from '../api/session';
import { dismiss, toasts } from '../lib/announce';
import { Link, navigate, useLocation } from '../lib/router';
import { useStore } from '../lib/store';

interface NavItem {
  href: string;
  label: string;
  adminOnly?: boolean;
}

const NAV: { title: string; items: NavItem[] }[] = [
  {
    title: 'Delegation',
    items: [
      { href: '/accounts', label: 'Accounts' },
      { href: '/console', label: 'API console' },
      { href: '/hygiene', label: 'Credential hygiene' },
      { href: '/audit', label: 'Audit log' },
    ],
  },
  {
    title: 'Administration',
    items: [
      { href: '/applications', label: 'Application keys', adminOnly: true },
      { href: '/operators', label: 'Operators', adminOnly: true },
      { href: '/webhooks', label: 'Webhooks', adminOnly: true },
      { href: '/settings/security', label: 'Security', adminOnly: true },
    ],
  },
];

export async function signOut(): Promise<void> {
  try {
    await Auth.logout();
  } catch {
    // signing out locally is what matters
  }
  // Straight to the login page: a deliberate sign-out does not come back here afterwards.
  navigate('/login', { replace: true });
  session.expire('You are signed out.');
}

export function Shell(props: { me: Me; children: ComponentChildren }) {
  const loc = useLocation();
  const [busy, setBusy] = useState(false);
  return (
    <div class="layout">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <Link href="/accounts" class="brand">
          <span class="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          Credential broker
        </Link>
        <div class="topbar-right">
          <Link href="/me" class="me-link" aria-current={loc.path === '/me' ? 'page' : undefined}>
            {props.me.displayName || props.me.email} <span class="role">{props.me.role}</span>
          </Link>
          <button
            type="button"
            class="btn btn-ghost btn-small"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              await signOut();
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <nav class="sidebar" aria-label="Main">
        {NAV.map((section) => {
          const items = section.items.filter((i) => !i.adminOnly || props.me.role === 'admin');
          if (items.length === 0) return null;
          return (
            <div class="nav-section" key={section.title}>
              <h2 class="nav-title">{section.title}</h2>
              <ul>
                {items.map((i) => {
                  const active = loc.path === i.href || loc.path.startsWith(`${i.href}/`);
                  return (
                    <li key={i.href}>
                      <Link
                        href={i.href}
                        class={active ? 'active' : ''}
                        aria-current={active ? 'page' : undefined}
                      >
                        {i.label}
                      </Link>
                    </li>
                  );
                })}
              </ul>
            </div>
          );
        })}
      </nav>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
      <Toasts />
    </div>
  );
}

export function Toasts() {
  const list = useStore(toasts);
  return (
    <div class="toasts" role="status" aria-live="polite" aria-atomic="false">
      {list.map((t) => (
        <div key={t.id} class={`toast toast-${t.kind}`}>
          <span>{t.text}</span>
          <button
            type="button"
            class="icon-btn"
            aria-label="Dismiss notification"
            onClick={() => dismiss(t.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
