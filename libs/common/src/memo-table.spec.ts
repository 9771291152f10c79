import { MemoTable } from './memo-table';

describe(MemoTable.name, () => {
  it('computes a key once, and keeps no more than its bound', () => {
    const computed: string[] = [];
    const table = new MemoTable<string>(2);
    const upper = (k: string) => {
      computed.push(k);
      return k.toUpperCase();
    };
    expect([table.get('a', upper), table.get('a', upper), table.get('b', upper)]).toEqual(['A', 'A', 'B']);
    expect(table.get('c', upper)).toBe('C');
    expect(table.get('c', upper)).toBe('C');
    expect(computed).toEqual(['a', 'b', 'c', 'c']);
  });
});
