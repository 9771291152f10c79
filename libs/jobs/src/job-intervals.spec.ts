import { jobLockId, parseJobIntervals } from './job-intervals';

describe(parseJobIntervals.name, () => {
  it('reads name=seconds pairs', () => {
    expect(parseJobIntervals('consumer-keys.sync=300, webhooks.deliver=2.5')).toEqual(
      new Map([
        ['consumer-keys.sync', 300000],
        ['webhooks.deliver', 2500],
      ]),
    );
  });

  it('accepts an empty value', () => {
    expect(parseJobIntervals(undefined).size).toBe(0);
    expect(parseJobIntervals(' ').size).toBe(0);
  });

  it('refuses malformed items and intervals under a second', () => {
    expect(() => parseJobIntervals('sync')).toThrow(/name=seconds/);
    expect(() => parseJobIntervals('sync=0')).toThrow(/at least 1 second/);
  });
});

describe(jobLockId.name, () => {
  it('is a stable signed 32-bit integer per name', () => {
    const a = jobLockId('webhooks.deliver');
    expect(a).toBe(jobLockId('webhooks.deliver'));
    expect(a).not.toBe(jobLockId('consumer-keys.sync'));
    expect(Number.isInteger(a) && a >= -(2 ** 31) && a < 2 ** 31).toBe(true);
  });
});
