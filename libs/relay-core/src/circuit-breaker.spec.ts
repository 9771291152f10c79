import { CircuitBreaker } from './circuit-breaker';

describe(CircuitBreaker.name, () => {
  let now = 0;
  const make = () =>
    new CircuitBreaker('https://eu.api.ovh.com', { failureThreshold: 3, cooldownMs: 1000 }, () => now);

  beforeEach(() => {
    now = 0;
  });

  it('opens after the threshold of consecutive failures and refuses calls while open', () => {
    const sut = make();
    for (let i = 0; i < 3; i++) {
      expect(sut.tryAcquire()).toBe(true);
      sut.onFailure();
    }
    expect(sut.snapshot().state).toBe('open');
    expect(sut.tryAcquire()).toBe(false);
    now = 400;
    expect(sut.retryAfterMs()).toBe(600);
  });

  it('a success resets the failure count', () => {
    const sut = make();
    sut.onFailure();
    sut.onFailure();
    sut.onSuccess();
    sut.onFailure();
    expect(sut.snapshot().state).toBe('closed');
  });

  it('half-opens after the cooldown and lets exactly one probe through', () => {
    const sut = make();
    for (let i = 0; i < 3; i++) sut.onFailure();
    now = 1000;
    expect(sut.snapshot().state).toBe('half-open');
    expect(sut.tryAcquire()).toBe(true);
    expect(sut.tryAcquire()).toBe(false);
    sut.onSuccess();
    expect(sut.snapshot().state).toBe('closed');
    expect(sut.tryAcquire()).toBe(true);
  });

  it('a failed probe opens the circuit again for a full cooldown', () => {
    const sut = make();
    for (let i = 0; i < 3; i++) sut.onFailure();
    now = 1000;
    expect(sut.tryAcquire()).toBe(true);
    sut.onFailure();
    expect(sut.snapshot()).toMatchObject({ state: 'open', opens: 2 });
    now = 1500;
    expect(sut.tryAcquire()).toBe(false);
  });

  it('reports each state change once, with the upstream host', () => {
    const seen: string[] = [];
    const sut = new CircuitBreaker(
      'https://EU.api.ovh.com',
      { failureThreshold: 2, cooldownMs: 1000, onStateChange: (state, b) => seen.push(`${b.host} ${state}`) },
      () => now,
    );
    for (let i = 0; i < 4; i++) sut.onFailure();
    now = 1000;
    sut.tryAcquire();
    sut.onFailure();
    now = 2000;
    sut.tryAcquire();
    sut.onSuccess();
    sut.onSuccess();
    expect(seen).toEqual([
      'eu.api.ovh.com open',
      'eu.api.ovh.com half-open',
      'eu.api.ovh.com open',
      'eu.api.ovh.com half-open',
      'eu.api.ovh.com closed',
    ]);
  });
});
