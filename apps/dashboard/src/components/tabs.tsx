import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { useId } from '../lib/hooks';
import { CopyButton } from './ui';

// WAI-ARIA tabs: arrow keys move between tabs, Tab goes into the panel.
export function Tabs(props: {
  label: string;
  tabs: { id: string; label: string; content: ComponentChildren }[];
}) {
  const [active, setActive] = useState(props.tabs[0]?.id);
  const base = useId('tabs');
  const list = useRef<HTMLDivElement>(null);
  const current = props.tabs.find((t) => t.id === active) ?? props.tabs[0];
  const focusTab = (i: number) => {
    const t = props.tabs[(i + props.tabs.length) % props.tabs.length];
    setActive(t.id);
    list.current?.querySelector<HTMLElement>(`#${base}-${t.id}`)?.focus();
  };
  return (
    <div>
      <div class="tabs" role="tablist" aria-label={props.label} ref={list}>
        {props.tabs.map((t, i) => (
          <button
            key={t.id}
            id={`${base}-${t.id}`}
            role="tab"
            type="button"
            aria-selected={t.id === current?.id}
            aria-controls={`${base}-panel`}
            tabIndex={t.id === current?.id ? 0 : -1}
            onClick={() => setActive(t.id)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowRight') focusTab(i + 1);
              else if (e.key === 'ArrowLeft') focusTab(i - 1);
              else if (e.key === 'Home') focusTab(0);
              else if (e.key === 'End') focusTab(props.tabs.length - 1);
              else return;
              e.preventDefault();
            }}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-${current?.id}`} tabIndex={0}>
        {current?.content}
      </div>
    </div>
  );
}

export function CodeBlock(props: { code: string; label: string }) {
  return (
    <div class="stack">
      <pre class="code" aria-label={props.label}>
        <code>{props.code}</code>
      </pre>
    </div>
  );
}

// A snippet with its copy button above it.
export function CopyableCode(props: { code: string; what: string }) {
  return (
    <div>
      <div class="actions" style={{ justifyContent: 'flex-end', marginBottom: '0.4rem' }}>
        <CopyButton text={props.code} what={props.what} label={`Copy ${props.what}`} />
      </div>
      <CodeBlock code={props.code} label={props.what} />
    </div>
  );
}
