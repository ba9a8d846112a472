/** Time arithmetic: AWS timestamps, exponential backoff with jitter, uniform jitter. The clock is ./clock.ts. */

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

/** U(a, b) */
export function uniform(a: number, b: number, random: () => number = Math.random): number {
  return a + random() * (b - a);
}
