import type { AccessRule } from '../api/types';

export function Method(props: { method: string }) {
  return <span class={`method method-${props.method}`}>{props.method}</span>;
}

export function RuleList(props: { rules: AccessRule[]; max?: number }) {
  const shown = props.max ? props.rules.slice(0, props.max) : props.rules;
  const rest = props.rules.length - shown.length;
  return (
    <ul class="rules">
      {shown.map((r) => (
        <li key={`${r.method} ${r.path}`}>
          <Method method={r.method} /> <code>{r.path}</code>
        </li>
      ))}
      {rest > 0 && <li class="muted small">and {rest} more</li>}
    </ul>
  );
}
