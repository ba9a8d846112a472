/**
 * A manual clock (src/shared/clock.ts's Clock): time moves only when a test says so, and timers fire in time
 * order as it does, so a test drives minutes of protocol time without sleeping.
 */
import { realClock, type Clock, type TimerHandle } from '../../src/shared/clock.js';
import { eventually } from './fake-control-plane.js';

interface Pending {
  id: number;
  at: number;
  ms: number;
  fn: () => void;
  /** Set for intervals: they are scheduled again each time they fire. */
  every?: number;
}

export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  /** Every duration ever scheduled, in order. */
  readonly scheduled: number[] = [];
  randomValue = 0.5;

  constructor(startMs = 1_700_000_000_000) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  monotonic(): number {
    return this.t;
  }

  random(): number {
    return this.randomValue;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.schedule(fn, ms);
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.pending.delete((handle as unknown as { id: number }).id);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.schedule(fn, ms, ms);
  }

  clearInterval(handle: TimerHandle | undefined): void {
    this.clearTimeout(handle);
  }

  /** Durations of the timers still pending. */
  pendingDurations(): number[] {
    return [...this.pending.values()].map((p) => p.ms);
  }

  /** Moves the clock forward, firing due timers in time order. */
  advance(ms: number): void {
    const target = this.t + ms;
    for (;;) {
      const due = [...this.pending.values()].filter((p) => p.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.t = due.at;
      if (due.every === undefined) this.pending.delete(due.id);
      else due.at += Math.max(1, due.every);
      due.fn();
    }
    this.t = target;
  }

  /** Waits (in real time) until a timer of exactly `ms` is pending: the code under test has reached that wait. */
  async waitForTimer(ms: number, what = `a ${ms} ms timer`): Promise<void> {
    await eventually(what, () => this.pendingDurations().some((d) => Math.abs(d - ms) < 0.001), 10_000);
  }

  private schedule(fn: () => void, ms: number, every?: number): TimerHandle {
    const id = ++this.seq;
    this.pending.set(id, { id, at: this.t + ms, ms, fn, ...(every === undefined ? {} : { every }) });
    this.scheduled.push(ms);
    return { id } as unknown as TimerHandle;
  }
}

/** The real clock, but reading the time from `now` (a test's fixed or stepped time); timers stay real. */
export function clockAt(now: () => number): Clock {
  return { ...realClock, now, monotonic: now };
}
