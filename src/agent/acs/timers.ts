/**
 * The timer port of the ACS session: every timer of §4.3 (inactivity, read deadline, planned reconnect,
 * backoff reset, reconnect waits) goes through it, so tests drive minutes of protocol time with a manual
 * clock instead of sleeping. Real timers are unref'd: a pending reconnect never holds the process.
 */
export interface TimerHandle {
  readonly __timer: unique symbol;
}

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  /** U[0,1): jitter source. */
  random(): number;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t as unknown as TimerHandle;
  },
  clearTimeout(handle) {
    if (handle !== undefined) clearTimeout(handle as unknown as NodeJS.Timeout);
  },
  random: () => Math.random(),
};

/** Resolves after `ms` of the given timers' time, or rejects with the signal's reason when aborted. */
export function sleepOn(timers: Timers, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      timers.clearTimeout(handle);
      reject(signal.reason);
    };
    const handle = timers.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A timer that can be pushed back (inactivity, read deadline) or cancelled; fires at most once per arm. */
export class Deadline {
  private handle: TimerHandle | undefined;

  constructor(
    private readonly timers: Timers,
    private readonly onExpire: () => void,
  ) {}

  arm(ms: number): void {
    this.timers.clearTimeout(this.handle);
    this.handle = this.timers.setTimeout(() => {
      this.handle = undefined;
      this.onExpire();
    }, ms);
  }

  cancel(): void {
    this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }
}
