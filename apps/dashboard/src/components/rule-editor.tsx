import { useState } from 'preact/hooks';
import { HTTP_METHODS, validateAccessRules } from '../../../../libs/ovh-protocol/src/access-rules';
import type { AccessRule, HttpMethod, RulePreset } from '../api/types';
import { Button } from './ui';

export function rulesProblems(rules: AccessRule[]): string[] {
  return validateAccessRules(rules).map((e) => `Rule ${e.index + 1}: ${e.message}`);
}

// Editable list of METHOD + path-glob rules.
export function RuleEditor(props: {
  rules: AccessRule[];
  onChange: (rules: AccessRule[]) => void;
  legend?: string;
}) {
  const set = (i: number, rule: AccessRule) =>
    props.onChange(props.rules.map((r, j) => (j === i ? rule : r)));
  const errors = validateAccessRules(props.rules);
  return (
    <fieldset>
      <legend>{props.legend ?? 'Access rules'}</legend>
      <p class="hint" style={{ marginBottom: '0.5rem' }}>
        One rule per line: a method and a path. <code>*</code> matches anything, including <code>/</code>; a
        rule on <code>/domain/zone/x</code> does not cover <code>/domain/zone/x/record</code>, so add{' '}
        <code>/domain/zone/x/*</code> too.
      </p>
      {props.rules.length === 0 && <p class="muted small">No rule yet: add one or apply a preset.</p>}
      {props.rules.map((r, i) => {
        const err = errors.find((e) => e.index === i);
        return (
          <div key={i}>
            <div class="rule-row">
              <select
                aria-label={`Method of rule ${i + 1}`}
                value={r.method}
                onChange={(e) =>
                  set(i, { ...r, method: (e.currentTarget as HTMLSelectElement).value as HttpMethod })
                }
              >
                {HTTP_METHODS.map((m) => (
                  <option key={m}>{m}</option>
                ))}
              </select>
              <input
                aria-label={`Path of rule ${i + 1}`}
                value={r.path}
                aria-invalid={err ? 'true' : undefined}
                placeholder="/domain/zone/example.com/*"
                onInput={(e) => set(i, { ...r, path: (e.currentTarget as HTMLInputElement).value })}
              />
              <Button
                small
                variant="ghost"
                aria-label={`Remove rule ${i + 1}`}
                onClick={() => props.onChange(props.rules.filter((_, j) => j !== i))}
              >
                Remove
              </Button>
            </div>
            {err && <p class="field-error">{err.message}</p>}
          </div>
        );
      })}
      <Button small onClick={() => props.onChange([...props.rules, { method: 'GET', path: '/' }])}>
        Add a rule
      </Button>
    </fieldset>
  );
}

// Preset parameters are filled in the preset's example, which the API builds with "example.com".
export function expandPreset(preset: RulePreset, params: Record<string, string>): AccessRule[] {
  const example = preset.example ?? [];
  return example.map((r) => {
    let path = r.path;
    for (const p of preset.parameters) path = path.split('example.com').join(params[p.name] ?? '');
    return { method: r.method, path };
  });
}

export function PresetPicker(props: {
  presets: RulePreset[];
  onApply: (rules: AccessRule[], preset: RulePreset) => void;
}) {
  const [id, setId] = useState(props.presets[0]?.id ?? '');
  const [params, setParams] = useState<Record<string, string>>({});
  const preset = props.presets.find((p) => p.id === id);
  const invalid =
    preset?.parameters.filter((p) => !new RegExp(p.pattern, 'i').test(params[p.name] ?? '')) ?? [];
  if (props.presets.length === 0) return null;
  return (
    <fieldset>
      <legend>Start from a preset</legend>
      <div class="row">
        <div class="field" style={{ flex: '1 1 240px' }}>
          <label for="preset-select">Preset</label>
          <select
            id="preset-select"
            value={id}
            onChange={(e) => setId((e.currentTarget as HTMLSelectElement).value)}
          >
            {props.presets.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        {preset?.parameters.map((p) => (
          <div class="field" key={p.name} style={{ flex: '1 1 200px' }}>
            <label for={`preset-param-${p.name}`}>{p.name}</label>
            <input
              id={`preset-param-${p.name}`}
              value={params[p.name] ?? ''}
              placeholder={p.description}
              onInput={(e) =>
                setParams({ ...params, [p.name]: (e.currentTarget as HTMLInputElement).value.trim() })
              }
            />
          </div>
        ))}
        <div class="field">
          <Button
            disabled={!preset || invalid.length > 0}
            onClick={() => preset && props.onApply(expandPreset(preset, params), preset)}
          >
            Add its rules
          </Button>
        </div>
      </div>
      {preset && <p class="hint">{preset.description}</p>}
    </fieldset>
  );
}
