import fc from 'fast-check';
import {
  canonicalizeRequestTarget,
  CanonicalPathError,
  type CanonicalPathErrorCode,
  tryCanonicalizeRequestTarget,
} from './canonical-path';

function refusal(target: string): CanonicalPathErrorCode | 'accepted' {
  const result = tryCanonicalizeRequestTarget(target);
  return result.ok ? 'accepted' : result.error.code;
}

describe('canonicalizeRequestTarget', () => {
  it.each([
    ['/1.0/domain/zone', { branch: '1.0', path: '/domain/zone', query: '' }],
    ['/v1/me', { branch: 'v1', path: '/me', query: '' }],
    ['/v2/iam/policy?x=1&y=%2F', { branch: 'v2', path: '/iam/policy', query: 'x=1&y=%2F' }],
    ['/1.0/domain/', { branch: '1.0', path: '/domain/', query: '' }],
    ['/1.0', { branch: '1.0', path: '/', query: '' }],
    [
      '/1.0/email/domain/x/account/a%40b',
      { branch: '1.0', path: '/email/domain/x/account/a%40b', query: '' },
    ],
    ['/1.0/x/%C3%A9t%C3%A9', { branch: '1.0', path: '/x/%C3%A9t%C3%A9', query: '' }],
    ['/1.0/DOMAIN/x', { branch: '1.0', path: '/DOMAIN/x', query: '' }],
    ['/1.0/a..b/c.d', { branch: '1.0', path: '/a..b/c.d', query: '' }],
  ])('accepts %s', (target, expected) => {
    expect(canonicalizeRequestTarget(target)).toEqual({ ...expected, target });
  });

  // SECURITY-CHECKLIST R1, one row per item (and a few neighbours).
  it.each<[string, string, CanonicalPathErrorCode]>([
    ['dot-dot segment', '/1.0/domain/../me', 'AMBIGUOUS_PATH'],
    ['trailing dot-dot', '/1.0/domain/..', 'AMBIGUOUS_PATH'],
    ['dot segment', '/1.0/./me', 'AMBIGUOUS_PATH'],
    ['encoded dot-dot', '/1.0/domain/%2e%2e/me', 'AMBIGUOUS_PATH'],
    ['mixed .%2e', '/1.0/domain/.%2e/me', 'AMBIGUOUS_PATH'],
    ['upper/lower %2E%2e', '/1.0/domain/%2E%2e/me', 'AMBIGUOUS_PATH'],
    ['single encoded dot', '/1.0/domain/%2E', 'AMBIGUOUS_PATH'],
    ['encoded slash lower', '/1.0/ip/1.2.3.4%2f32', 'AMBIGUOUS_PATH'],
    ['encoded slash upper', '/1.0/ip/1.2.3.4%2F32', 'AMBIGUOUS_PATH'],
    ['encoded backslash', '/1.0/domain%5c..%5cme', 'AMBIGUOUS_PATH'],
    ['raw backslash', '/1.0/domain\\me', 'AMBIGUOUS_PATH'],
    ['double-encoded dot', '/1.0/domain/%252e%252e/me', 'AMBIGUOUS_PATH'],
    ['encoded NUL', '/1.0/me%00', 'FORBIDDEN_CHARACTER'],
    ['encoded NUL in query', '/1.0/me?x=%00', 'FORBIDDEN_CHARACTER'],
    ['encoded newline', '/1.0/me%0a', 'FORBIDDEN_CHARACTER'],
    ['encoded DEL', '/1.0/me%7F', 'FORBIDDEN_CHARACTER'],
    ['encoded C1 control', '/1.0/me%C2%85', 'FORBIDDEN_CHARACTER'],
    ['raw NUL', '/1.0/me\u0000', 'FORBIDDEN_CHARACTER'],
    ['raw CR LF', '/1.0/me\r\nX-Injected: 1', 'FORBIDDEN_CHARACTER'],
    ['raw tab', '/1.0/me\t', 'FORBIDDEN_CHARACTER'],
    ['raw control in query', '/1.0/me?a=\u0001', 'FORBIDDEN_CHARACTER'],
    ['raw space', '/1.0/me x', 'FORBIDDEN_CHARACTER'],
    ['semicolon parameter', '/1.0/domain;jsessionid=1/zone', 'AMBIGUOUS_PATH'],
    ['encoded semicolon', '/1.0/domain%3bx', 'AMBIGUOUS_PATH'],
    ['overlong dot', '/1.0/domain/%c0%ae%c0%ae/me', 'INVALID_PERCENT_ENCODING'],
    ['overlong slash', '/1.0/domain%c0%afme', 'INVALID_PERCENT_ENCODING'],
    ['truncated UTF-8', '/1.0/x%C3', 'INVALID_PERCENT_ENCODING'],
    ['fullwidth dot raw', '/1.0/domain/\uff0e\uff0e/me', 'FORBIDDEN_CHARACTER'],
    ['fullwidth slash raw', '/1.0/domain\uff0fme', 'FORBIDDEN_CHARACTER'],
    ['fullwidth dot encoded', '/1.0/domain/%EF%BC%8E%EF%BC%8E/me', 'AMBIGUOUS_PATH'],
    ['fullwidth slash encoded', '/1.0/domain%ef%bc%8fme', 'AMBIGUOUS_PATH'],
    ['fragment', '/1.0/me#frag', 'FRAGMENT_NOT_ALLOWED'],
    ['fragment in query', '/1.0/me?x=1#frag', 'FRAGMENT_NOT_ALLOWED'],
    ['leading double slash', '//1.0/me', 'AMBIGUOUS_PATH'],
    ['inner double slash', '/1.0/domain//zone', 'AMBIGUOUS_PATH'],
    ['trailing double slash', '/1.0/domain//', 'AMBIGUOUS_PATH'],
    ['absolute-form', 'http://evil.example/1.0/me', 'NOT_ORIGIN_FORM'],
    ['absolute-form https', 'https://eu.api.ovh.com/1.0/me', 'NOT_ORIGIN_FORM'],
    ['authority-form', 'eu.api.ovh.com:443', 'NOT_ORIGIN_FORM'],
    ['asterisk-form', '*', 'NOT_ORIGIN_FORM'],
    ['empty', '', 'NOT_ORIGIN_FORM'],
    ['invalid percent', '/1.0/me%zz', 'INVALID_PERCENT_ENCODING'],
    ['truncated percent', '/1.0/me%2', 'INVALID_PERCENT_ENCODING'],
    ['invalid percent in query', '/1.0/me?x=%g1', 'INVALID_PERCENT_ENCODING'],
    ['path over 2 KiB', '/1.0/' + 'a'.repeat(2048), 'PATH_TOO_LONG'],
    ['query over 4 KiB', '/1.0/me?' + 'a'.repeat(4097), 'QUERY_TOO_LONG'],
    ['huge target', '/1.0/' + 'a'.repeat(10_000), 'PATH_TOO_LONG'],
    ['unknown branch', '/2.0/me', 'UNKNOWN_API_BRANCH'],
    ['no branch', '/me', 'UNKNOWN_API_BRANCH'],
    ['branch case', '/V1/me', 'UNKNOWN_API_BRANCH'],
  ])('refuses %s', (_label, target, code) => {
    expect(refusal(target)).toBe(code);
  });

  it('accepts the limits exactly', () => {
    expect(refusal('/1.0/' + 'a'.repeat(2048 - 5))).toBe('accepted');
    expect(refusal('/1.0/me?' + 'a'.repeat(4096))).toBe('accepted');
  });

  it('throws a typed error', () => {
    expect(() => canonicalizeRequestTarget('/1.0/../me')).toThrow(CanonicalPathError);
  });

  it('never accepts a target whose decoded path would differ in segment structure', () => {
    const piece = fc.constantFrom(
      'a',
      '.',
      '/',
      '%2e',
      '%2f',
      '%2E',
      '%5c',
      '\\',
      '%25',
      ';',
      '%',
      '..',
      '%c0%ae',
      'v1',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), (pieces) => {
        const target = '/1.0/' + pieces.join('');
        const result = tryCanonicalizeRequestTarget(target);
        if (!result.ok) return;
        const decoded = decodeURIComponent(result.value.path);
        // What the policy engine saw must be what any decoding server would see.
        expect(decoded.split('/')).toEqual(result.value.path.split('/'));
        expect(decoded.split('/')).not.toContain('..');
        expect(decoded.split('/')).not.toContain('.');
        expect(decoded).not.toContain('\\');
        expect(result.value.target).toBe(target);
      }),
      { numRuns: 3000 },
    );
  });
});
