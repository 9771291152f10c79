import { checkApplicationKeyFormat } from './application-key-format';

describe(checkApplicationKeyFormat.name, () => {
  const ak = 'EmuSandboxAppKey';
  const as = 'EmuSandboxSecret0123456789abcdef';

  it('accepts a 16-character key and a 32-character secret', () => {
    expect(checkApplicationKeyFormat(ak, as)).toEqual([]);
  });

  it.each([
    ['too short', 'short', as, 'appKey'],
    ['with a space', 'EmuSandbox AppKe', as, 'appKey'],
    ['secret too long', ak, `${as}x`, 'appSecret'],
    ['secret with a quote', ak, `"${as.slice(2)}"`, 'appSecret'],
    ['secret with a line break', ak, `${as.slice(1)}\n`, 'appSecret'],
  ])('refuses a pair %s', (_name, key, secret, field) => {
    expect(checkApplicationKeyFormat(key, secret).map((p) => p.field)).toEqual([field]);
  });
});
