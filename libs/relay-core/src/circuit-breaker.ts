export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  // Consecutive failures that open the circuit.
  failureThreshold: number;
  // How long it stays open before one probe is let through.
  cooldownMs: number;
  // Told of every state change (metrics); must not throw.
  onStateChange?: (state: CircuitState, breaker: CircuitBreaker) => void;
}

export interface CircuitSnapshot {
  origin: string;
  state: CircuitState;
  consecutiveFailures: number;
  openedAt: number | null;
  opens: number;
}

// closed → (N consecutive failures) → open → (cooldown) → half-open: one probe; its success
// closes the circuit, its failure opens it again. Failures are connection errors, timeouts and
// 502/503/504 answers; a 4xx is the caller's problem, not the upstream's.
export class CircuitBreaker {
  private state: CircuitState = 'closed';
  private failures = 0;
  private openedAt: number | null = null;
  private probeInFlight = false;
  private opens = 0;
  // The origin without its scheme ("eu.api.ovh.com", "127.0.0.1:3100"), for metric labels.
  readonly host: string;

  constructor(
    readonly origin: string,
    private readonly options: CircuitBreakerOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.host = origin.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').toLowerCase();
  }

  // Returns false when the call must not be attempted; the caller answers 503.
  tryAcquire(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') {
      if (this.openedAt !== null && this.now() - this.openedAt >= this.options.cooldownMs) {
        this.enter('half-open');
        this.probeInFlight = false;
      } else {
        return false;
      }
    }
    if (this.probeInFlight) return false;
    this.probeInFlight = true;
    return true;
  }

  retryAfterMs(): number {
    if (this.state !== 'open' || this.openedAt === null) return 1000;
    return Math.max(0, this.options.cooldownMs - (this.now() - this.openedAt));
  }

  onSuccess(): void {
    this.failures = 0;
    this.probeInFlight = false;
    if (this.state !== 'closed') {
      this.openedAt = null;
      this.enter('closed');
    }
  }

  onFailure(): void {
    this.failures++;
    this.probeInFlight = false;
    if (this.state === 'half-open' || this.failures >= this.options.failureThreshold) {
      this.openedAt = this.now();
      if (this.state !== 'open') {
        this.opens++;
        this.enter('open');
      }
    }
  }

  private enter(state: CircuitState): void {
    this.state = state;
    this.options.onStateChange?.(state, this);
  }

  // A call that was acquired but never reached the upstream (e.g. refused locally).
  release(): void {
    this.probeInFlight = false;
  }

  snapshot(): CircuitSnapshot {
    if (
      this.state === 'open' &&
      this.openedAt !== null &&
      this.now() - this.openedAt >= this.options.cooldownMs
    ) {
      return {
        origin: this.origin,
        state: 'half-open',
        consecutiveFailures: this.failures,
        openedAt: this.openedAt,
        opens: this.opens,
      };
    }
    return {
      origin: this.origin,
      state: this.state,
      consecutiveFailures: this.failures,
      openedAt: this.openedAt,
      opens: this.opens,
    };
  }
}

export class CircuitBreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(
    private readonly options: CircuitBreakerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  for(origin: string): CircuitBreaker {
    let breaker = this.breakers.get(origin);
    if (!breaker) {
      breaker = new CircuitBreaker(origin, this.options, this.now);
      this.breakers.set(origin, breaker);
    }
    return breaker;
  }

  snapshot(): CircuitSnapshot[] {
    return [...this.breakers.values()].map((b) => b.snapshot());
  }
}
