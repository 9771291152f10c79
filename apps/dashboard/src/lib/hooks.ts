import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Async<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): Promise<void>;
  setData(data: T): void;
}

// Loads data when deps change; keeps the last data while reloading so tables don't flash.
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Async<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const controller = useRef<AbortController | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(async () => {
    controller.current?.abort();
    const c = new AbortController();
    controller.current = c;
    setLoading(true);
    try {
      const value = await loadRef.current(c.signal);
      if (!c.signal.aborted) {
        setData(value);
        setError(undefined);
      }
    } catch (e) {
      if (!c.signal.aborted) setError(e);
    } finally {
      if (!c.signal.aborted) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void reload();
    return () => controller.current?.abort();
  }, deps);

  return { data, error, loading, reload, setData };
}

// Calls fn every `ms` while `active`, and not while the tab is hidden.
export function usePoll(fn: () => void | Promise<void>, ms: number, active = true): void {
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let timer: number | undefined;
    const tick = async () => {
      if (stopped) return;
      if (document.visibilityState !== 'hidden') {
        try {
          await fnRef.current();
        } catch {
          // the page shows its own errors
        }
      }
      if (!stopped) timer = window.setTimeout(tick, ms);
    };
    timer = window.setTimeout(tick, ms);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [ms, active]);
}

let idCounter = 0;
export function useId(prefix = 'f'): string {
  const ref = useRef<string | null>(null);
  ref.current ??= `${prefix}-${++idCounter}`;
  return ref.current;
}

export interface Submit<A extends unknown[]> {
  busy: boolean;
  error: unknown;
  setError(error: unknown): void;
  run(...args: A): Promise<void>;
}

// Runs an action with a busy flag and keeps its failure for an ErrorBanner.
export function useSubmit<A extends unknown[]>(action: (...args: A) => Promise<void>): Submit<A> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const actionRef = useRef(action);
  actionRef.current = action;
  const run = useCallback(async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      await actionRef.current(...args);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
