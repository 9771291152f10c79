import fc from 'fast-check';
import {
  type AccessRule,
  globContains,
  globMatches,
  isCallGranted,
  recursiveRules,
  ruleContains,
  ruleMatches,
  rulesContained,
  validateAccessRules,
} from './access-rules';

// Reference semantics from ovh-api.md §3.5: '*' is the only metacharacter and matches anything.
function referenceMatch(pattern: string, text: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*');
  return new RegExp(`^${source}$`).test(text);
}

// A small alphabet makes collisions between patterns and paths likely.
const pathChar = fc.constantFrom('/', 'a', 'b', '.', '-', '?', '[', ']', '\\');
const patternChar = fc.constantFrom('/', 'a', 'b', '*', '.', '?', '[');
const text = fc.array(pathChar, { maxLength: 12 }).map((c) => c.join(''));
const pattern = fc.array(patternChar, { maxLength: 8 }).map((c) => c.join(''));

describe('validateAccessRules', () => {
  it('accepts well-formed rules', () => {
    expect(
      validateAccessRules([
        { method: 'GET', path: '/me' },
        { method: 'DELETE', path: '/*' },
      ]),
    ).toEqual([]);
  });

  it('reports one error per offending field', () => {
    const errors = validateAccessRules([
      { method: 'get', path: '/me' },
      { method: 'PATCH', path: 'me' },
      { method: 'GET', path: '/a\u0000b' },
      { method: 'GET', path: '/' + 'a'.repeat(600) },
      { method: 'GET', path: '/me?x=1' },
      null,
      { method: 'GET' },
    ]);
    expect(errors.map((e) => [e.index, e.field])).toEqual([
      [0, 'method'],
      [1, 'method'],
      [1, 'path'],
      [2, 'path'],
      [3, 'path'],
      [4, 'path'],
      [5, 'rule'],
      [6, 'path'],
    ]);
  });

  it('refuses a non-array or empty list', () => {
    expect(validateAccessRules('nope')).toHaveLength(1);
    expect(validateAccessRules([])).toHaveLength(1);
  });
});

describe('ruleMatches / isCallGranted', () => {
  it.each([
    ['/me', '/me', true],
    ['/me', '/me/', false],
    ['/*', '/anything/at/all', true],
    ['/domain/zone/*', '/domain/zone', false],
    ['/domain/zone/*', '/domain/zone/', true],
    ['/sms/*/jobs', '/sms/a/b/jobs', true],
    ['/me*', '/me/api', true],
    ['/me?', '/mex', false],
    ['/ip/[a]', '/ip/a', false],
    ['/ip/[a]', '/ip/[a]', true],
  ])('pattern %s vs %s → %s', (path, request, expected) => {
    expect(ruleMatches({ method: 'GET', path }, 'GET', request)).toBe(expected);
  });

  it('requires the exact method', () => {
    expect(ruleMatches({ method: 'GET', path: '/*' }, 'get', '/me')).toBe(false);
    expect(ruleMatches({ method: 'GET', path: '/*' }, 'POST', '/me')).toBe(false);
  });

  it('ignores the query string', () => {
    expect(isCallGranted([{ method: 'GET', path: '/domain' }], 'GET', '/domain?x=1')).toBe(true);
  });

  it('agrees with a reference regular-expression implementation', () => {
    fc.assert(
      fc.property(pattern, text, (p, t) => {
        expect(globMatches(p, t)).toBe(referenceMatch(p, t));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('ruleContains', () => {
  const get = (path: string): AccessRule => ({ method: 'GET', path });

  it.each([
    ['/*', '/me', true],
    ['/*', '/*', true],
    ['/domain/*', '/domain/zone/*', true],
    ['/domain/zone/*', '/domain/*', false],
    ['/domain/zone/*', '/domain/zone', false],
    ['/a*b', '/a*c*b', true],
    ['/a*c*b', '/a*b', false],
    ['/*/jobs', '/sms/*/jobs', true],
    ['/sms/*/jobs', '/*/jobs', false],
    ['/me*', '/me', true],
    ['/me', '/me*', false],
    ['*', '/x', true],
    ['/a**', '/a*', true],
    ['/a*', '/a**', true],
    ['/x*y*z', '/x*y', false],
    ['/ab*', '/a*b', false],
  ])('%s contains %s → %s', (outer, inner, expected) => {
    expect(ruleContains(get(outer), get(inner))).toBe(expected);
  });

  it('never contains across methods', () => {
    expect(ruleContains({ method: 'GET', path: '/*' }, { method: 'POST', path: '/me' })).toBe(false);
  });

  it('is sound: when a contains b, every path matched by b is matched by a', () => {
    // Build concrete paths from b by substituting random strings for each '*'.
    const fill = fc.array(
      fc.array(pathChar, { maxLength: 4 }).map((c) => c.join('')),
      {
        minLength: 8,
        maxLength: 8,
      },
    );
    fc.assert(
      fc.property(pattern, pattern, fill, (a, b, fills) => {
        fc.pre(globContains(a, b));
        let i = 0;
        const concrete = b.replace(/\*/g, () => fills[i++ % fills.length]);
        expect(globMatches(b, concrete)).toBe(true);
        expect(globMatches(a, concrete)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('is complete on finite checks: if no witness path separates them, containment is reported', () => {
    // For star-free inner patterns containment reduces to a single match, so both must agree.
    fc.assert(
      fc.property(pattern, text, (a, literal) => {
        expect(globContains(a, literal)).toBe(globMatches(a, literal));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with brute force over a tiny alphabet', () => {
    const tiny = fc.array(fc.constantFrom('a', 'b', '*'), { maxLength: 5 }).map((c) => c.join(''));
    // Every word over {a,b,c} up to length 6: 'c' stands for any other character, and a
    // shortest word separating two patterns of at most 5 tokens is no longer than that.
    const words: string[] = [''];
    for (let len = 1; len <= 6; len++) {
      for (let n = 0; n < 3 ** len; n++)
        words.push(
          n
            .toString(3)
            .padStart(len, '0')
            .replace(/[012]/g, (d) => 'abc'[Number(d)]),
        );
    }
    fc.assert(
      fc.property(tiny, tiny, (a, b) => {
        const brute = words.every((w) => !globMatches(b, w) || globMatches(a, w));
        if (globContains(a, b)) expect(brute).toBe(true);
        else expect(brute).toBe(false);
      }),
      { numRuns: 500, seed: 42 },
    );
  });
});

describe('rulesContained', () => {
  it('returns the inner rules that no outer rule covers', () => {
    const outer: AccessRule[] = [
      { method: 'GET', path: '/domain/*' },
      { method: 'POST', path: '/domain/zone/example.com/record' },
    ];
    const inner: AccessRule[] = [
      { method: 'GET', path: '/domain/zone/example.com/*' },
      { method: 'POST', path: '/domain/zone/example.com/record' },
      { method: 'DELETE', path: '/domain/zone/example.com/record/*' },
      { method: 'GET', path: '/domain' },
    ];
    expect(rulesContained(inner, outer)).toEqual([inner[2], inner[3]]);
  });
});

describe('recursiveRules', () => {
  it('grants the root and its subtree (python add_recursive_rules)', () => {
    expect(recursiveRules(['GET', 'POST'], '/sms/*')).toEqual([
      { method: 'GET', path: '/sms' },
      { method: 'GET', path: '/sms/*' },
      { method: 'POST', path: '/sms' },
      { method: 'POST', path: '/sms/*' },
    ]);
  });

  it('skips the empty root for "/"', () => {
    expect(recursiveRules('GET', '/')).toEqual([{ method: 'GET', path: '/*' }]);
  });
});
