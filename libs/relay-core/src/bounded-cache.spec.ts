import { BoundedCache } from './bounded-cache';

describe(BoundedCache.name, () => {
  it('never holds more than its bound, evicting the least recently used', () => {
    const sut = new BoundedCache<string, number>(3);
    sut.set('a', 1, 1000);
    sut.set('b', 2, 1000);
    sut.set('c', 3, 1000);
    sut.get('a');
    sut.set('d', 4, 1000);
    expect(sut.size).toBe(3);
    expect(sut.get('b')).toBeUndefined();
    expect(sut.get('a')).toBe(1);
  });

  it('forgets entries once their TTL has passed', () => {
    let now = 0;
    const sut = new BoundedCache<string, string>(10, () => now);
    sut.set('k', 'v', 100);
    now = 99;
    expect(sut.get('k')).toBe('v');
    now = 100;
    expect(sut.get('k')).toBeUndefined();
    expect(sut.size).toBe(0);
  });

  it('stays bounded under a flood of 100000 distinct keys (L3)', () => {
    const sut = new BoundedCache<string, null>(1000);
    for (let i = 0; i < 100_000; i++) sut.set(`obg_invalid_${i}`, null, 5000);
    expect(sut.size).toBe(1000);
  });

  it('deletes by predicate', () => {
    const sut = new BoundedCache<string, { grantId: string }>(10);
    sut.set('a', { grantId: 'g1' }, 1000);
    sut.set('b', { grantId: 'g2' }, 1000);
    expect(sut.deleteWhere((v) => v.grantId === 'g1')).toBe(1);
    expect(sut.get('a')).toBeUndefined();
    expect(sut.get('b')).toEqual({ grantId: 'g2' });
  });
});
