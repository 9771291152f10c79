import { dedupeRules, expandRuleSelections, RULE_PRESETS } from './rule-presets';

describe('rule presets', () => {
  it('gives read-only access to one zone, root included', () => {
    const { rules, problems } = expandRuleSelections(
      [{ id: 'dns-zone-read-only', params: { zone: 'example.com' } }],
      [],
    );
    expect(problems).toEqual([]);
    expect(rules).toEqual([
      { method: 'GET', path: '/domain/zone/example.com' },
      { method: 'GET', path: '/domain/zone/example.com/*' },
    ]);
  });

  it.each(['*', 'example.com/*', '../me', 'a b.com', ''])('refuses the zone parameter %p', (zone) => {
    const { rules, problems } = expandRuleSelections([{ id: 'dns-zone-manager', params: { zone } }], []);
    expect(rules).toEqual([]);
    expect(problems[0].field).toBe('presets[0].params.zone');
  });

  it('refuses an unknown preset and unknown parameters', () => {
    expect(expandRuleSelections([{ id: 'root' }], []).problems[0].problem).toContain('unknown preset');
    expect(
      expandRuleSelections([{ id: 'dns-manager', params: { x: '1' } }], []).problems[0].problem,
    ).toContain('unknown parameter');
  });

  it('adds both X and X/* for a recursive selection', () => {
    expect(expandRuleSelections([], [{ methods: ['GET', 'PUT'], path: '/sms/*' }]).rules).toEqual([
      { method: 'GET', path: '/sms' },
      { method: 'GET', path: '/sms/*' },
      { method: 'PUT', path: '/sms' },
      { method: 'PUT', path: '/sms/*' },
    ]);
  });

  it('every preset builds valid, duplicate-free rules', () => {
    for (const preset of RULE_PRESETS) {
      const rules = preset.build({ zone: 'example.com' });
      expect(dedupeRules(rules)).toEqual(rules);
      expect(rules.every((r) => r.path.startsWith('/'))).toBe(true);
    }
  });
});
