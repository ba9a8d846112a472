/**
 * The one clock. Every reading of the time and every timer in src/ goes through a `Clock`, so tests drive minutes
 * of protocol time with a manual clock instead of sleeping, and the lint can ban `Date.now()`, `performance.now()`
 * and bare timers everywhere but here (ARCHITECTURE.md, "Time").
 *
 * Timers are unref'd unless asked otherwise: a pending reconnect, cleanup or heartbeat never holds the process;
 * what keeps berth alive is its sockets and servers. `keepAlive` gives Node's default for the few waits that must.
 */
export interface TimerHandle {
  readonly __timer: unique symbol;
}

export interface TimerOptions {
  /** Hold the process open while this timer is pending (Node's default; off for berth's timers). */
  keepAlive?: boolean;
}

export interface Clock {
  /** Wall-clock time, epoch milliseconds: what is stored, reported and compared with other hosts. */
  now(): number;
  /** Monotonic milliseconds from an arbitrary origin: for durations, never stored. */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number, opts?: TimerOptions): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  setInterval(fn: () => void, ms: number, opts?: TimerOptions): TimerHandle;
  clearInterval(handle: TimerHandle | undefined): void;
  /** U[0,1): the jitter source, so backoffs are repeatable in tests. */
  random(): number;
}

const asHandle = (t: NodeJS.Timeout): TimerHandle => t as unknown as TimerHandle;
const asTimeout = (h: TimerHandle): NodeJS.Timeout => h as unknown as NodeJS.Timeout;

export const realClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout(fn, ms, opts) {
    const t = setTimeout(fn, ms);
    if (!opts?.keepAlive) t.unref();
    return asHandle(t);
  },
  clearTimeout(handle) {
    if (handle !== undefined) clearTimeout(asTimeout(handle));
  },
  setInterval(fn, ms, opts) {
    const t = setInterval(fn, ms);
    if (!opts?.keepAlive) t.unref();
    return asHandle(t);
  },
  clearInterval(handle) {
    if (handle !== undefined) clearInterval(asTimeout(handle));
  },
  random: () => Math.random(),
};

/**
 * Resolves after `ms` of the clock's time, or rejects with the signal's reason when aborted. The timer does not
 * hold the process open unless `opts.keepAlive` (a command whose only work is waiting, like `berth logs -f`).
 */
export function sleep(ms: number, signal?: AbortSignal, clock: Clock = realClock, opts?: TimerOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms, opts);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A point in the clock's time that a polling loop gives up at. */
export interface Expiry {
  passed(): boolean;
  remainingMs(): number;
}

export function expiresIn(ms: number, clock: Clock = realClock): Expiry {
  const at = clock.monotonic() + ms;
  return {
    passed: () => clock.monotonic() >= at,
    remainingMs: () => Math.max(0, at - clock.monotonic()),
  };
}

/** A timer that can be pushed back (inactivity, read deadline) or cancelled; fires at most once per arm. */
export class Deadline {
  private handle: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly onExpire: () => void,
  ) {}

  arm(ms: number): void {
    this.clock.clearTimeout(this.handle);
    this.handle = this.clock.setTimeout(() => {
      this.handle = undefined;
      this.onExpire();
    }, ms);
  }

  cancel(): void {
    this.clock.clearTimeout(this.handle);
    this.handle = undefined;
  }
}

/** Elapsed seconds since a `monotonic()` reading: how durations are observed (Prometheus histograms). */
export function secondsSince(startedMonotonic: number, clock: Clock = realClock): number {
  return (clock.monotonic() - startedMonotonic) / 1000;
}
