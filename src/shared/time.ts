/** Time helpers: an injectable clock, exponential backoff with jitter, abortable sleep. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Epoch seconds with millisecond fraction: how AWS JSON 1.1 encodes timestamps (spec §2.1). */
export function epochSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}

export interface BackoffOptions {
  minMs: number;
  maxMs: number;
  multiplier: number;
  /** Each value gets +U(0, value*jitter). */
  jitter: number;
  random?: () => number;
}

/** backoff(min,max,xk,j) as the spec writes it (§0): starts at min, multiplies by k, capped at max. */
export class Backoff {
  private current: number;
  private readonly random: () => number;

  constructor(private readonly opts: BackoffOptions) {
    this.current = opts.minMs;
    this.random = opts.random ?? Math.random;
  }

  next(): number {
    const base = this.current;
    this.current = Math.min(this.opts.maxMs, this.current * this.opts.multiplier);
    return Math.min(this.opts.maxMs, base) + this.random() * base * this.opts.jitter;
  }

  reset(): void {
    this.current = this.opts.minMs;
  }
}

/** Resolves after `ms`, or rejects with the signal's reason when aborted. The timer never holds the process. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** U(a, b) */
export function uniform(a: number, b: number, random: () => number = Math.random): number {
  return a + random() * (b - a);
}
