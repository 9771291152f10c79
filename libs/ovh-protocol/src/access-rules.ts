export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface AccessRule {
  method: HttpMethod;
  path: string;
}

export const MAX_RULE_PATH_LENGTH = 512;
export const MAX_RULES = 256;

export interface AccessRuleError {
  index: number;
  field: 'method' | 'path' | 'rule';
  message: string;
}

export function isHttpMethod(value: unknown): value is HttpMethod {
  return typeof value === 'string' && (HTTP_METHODS as readonly string[]).includes(value);
}

// Returns one error per offending field; an empty list means every rule is usable.
export function validateAccessRules(rules: unknown): AccessRuleError[] {
  if (!Array.isArray(rules)) {
    return [{ index: -1, field: 'rule', message: 'accessRules must be an array' }];
  }
  if (rules.length === 0) {
    return [{ index: -1, field: 'rule', message: 'accessRules must not be empty' }];
  }
  if (rules.length > MAX_RULES) {
    return [
      { index: -1, field: 'rule', message: `accessRules must not contain more than ${MAX_RULES} rules` },
    ];
  }
  const errors: AccessRuleError[] = [];
  rules.forEach((rule: unknown, index) => {
    if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) {
      errors.push({ index, field: 'rule', message: 'rule must be an object with method and path' });
      return;
    }
    const { method, path } = rule as Record<string, unknown>;
    if (!isHttpMethod(method)) {
      errors.push({ index, field: 'method', message: `method must be one of ${HTTP_METHODS.join(', ')}` });
    }
    const pathError = validateRulePath(path);
    if (pathError) errors.push({ index, field: 'path', message: pathError });
  });
  return errors;
}

function validateRulePath(path: unknown): string | null {
  if (typeof path !== 'string') return 'path must be a string';
  if (!path.startsWith('/')) return 'path must start with "/"';
  if (path.length > MAX_RULE_PATH_LENGTH) return `path must not exceed ${MAX_RULE_PATH_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(path)) return 'path must not contain control characters';
  if (path.includes('?') || path.includes('#')) return 'path must not contain a query or fragment';
  return null;
}

// §3.5: exact method, whole path (query excluded), '*' matches any run of characters including '/'.
export function ruleMatches(rule: AccessRule, method: string, path: string): boolean {
  return rule.method === method && globMatches(rule.path, stripQuery(path));
}

export function isCallGranted(rules: readonly AccessRule[], method: string, path: string): boolean {
  return rules.some((rule) => ruleMatches(rule, method, path));
}

function stripQuery(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

// Linear-backtracking glob match: only the last '*' ever needs to be revisited.
export function globMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === '*') {
      starP = p++;
      starT = t;
    } else if (p < pattern.length && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

// True iff every concrete path matched by `inner` is matched by `outer`, for the same method.
export function ruleContains(outer: AccessRule, inner: AccessRule): boolean {
  return outer.method === inner.method && globContains(outer.path, inner.path);
}

// Inner rules not covered by any single outer rule. A rule covered only by a union of several
// outer rules is reported too: that is conservative (never grants more than asked).
export function rulesContained(
  innerRules: readonly AccessRule[],
  outerRules: readonly AccessRule[],
): AccessRule[] {
  return innerRules.filter((inner) => !outerRules.some((outer) => ruleContains(outer, inner)));
}

// python-ovh add_recursive_rules: grant the root and everything below it.
export function recursiveRules(methods: HttpMethod | readonly HttpMethod[], path: string): AccessRule[] {
  const list: readonly HttpMethod[] = typeof methods === 'string' ? [methods] : methods;
  const root = path.replace(/[*/ ]+$/, '');
  const rules: AccessRule[] = [];
  for (const method of list) {
    if (root) rules.push({ method, path: root });
    rules.push({ method, path: `${root}/*` });
  }
  return rules;
}

const EXPLORATION_LIMIT = 200_000;

// Language inclusion L(inner) ⊆ L(outer) for '*'-only globs, decided on the product of inner's NFA
// with the subset construction of outer's NFA. The alphabet is reduced to the literals of both
// patterns plus one "other" symbol, which is exact because all other characters behave alike.
export function globContains(outer: string, inner: string): boolean {
  if (outer === inner || /^\*+$/.test(outer)) return true;
  const alphabet: (string | null)[] = [...new Set((outer + inner).replace(/\*/g, ''))];
  alphabet.push(null);

  const closeOuter = (positions: Iterable<number>): number[] => {
    const out = new Set<number>();
    for (let pos of positions) {
      out.add(pos);
      while (pos < outer.length && outer[pos] === '*') out.add(++pos);
    }
    return [...out].sort((a, b) => a - b);
  };
  const stepOuter = (positions: number[], symbol: string | null): number[] => {
    const next: number[] = [];
    for (const pos of positions) {
      if (pos >= outer.length) continue;
      if (outer[pos] === '*') next.push(pos);
      else if (symbol !== null && outer[pos] === symbol) next.push(pos + 1);
    }
    return closeOuter(next);
  };

  const start: [number, number[]] = [0, closeOuter([0])];
  const seen = new Set<string>();
  const queue: [number, number[]][] = [start];
  while (queue.length > 0) {
    const [innerPos, outerSet] = queue.pop() as [number, number[]];
    const key = `${innerPos}|${outerSet.join(',')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // Cannot decide within budget: answer "not contained", the safe side for a grant check.
    if (seen.size > EXPLORATION_LIMIT) return false;
    if (outerSet.length === 0) return false;
    if (innerPos === inner.length) {
      if (!outerSet.includes(outer.length)) return false;
      continue;
    }
    const token = inner[innerPos];
    if (token === '*') {
      queue.push([innerPos + 1, outerSet]);
      for (const symbol of alphabet) queue.push([innerPos, stepOuter(outerSet, symbol)]);
    } else {
      queue.push([innerPos + 1, stepOuter(outerSet, token)]);
    }
  }
  return true;
}
