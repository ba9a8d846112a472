/** A manual clock for the ACS session's Timers port: tests advance protocol time instead of sleeping. */
import type { TimerHandle, Timers } from '../../../src/agent/acs/timers.js';
import { eventually } from '../../helpers/fake-control-plane.js';

interface Pending {
  id: number;
  at: number;
  ms: number;
  fn: () => void;
}

export class ManualTimers implements Timers {
  private t = 1_700_000_000_000;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  /** Every duration ever scheduled, in order. */
  readonly scheduled: number[] = [];
  randomValue = 0.5;

  now(): number {
    return this.t;
  }

  random(): number {
    return this.randomValue;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    this.pending.set(id, { id, at: this.t + ms, ms, fn });
    this.scheduled.push(ms);
    return { id } as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.pending.delete((handle as unknown as { id: number }).id);
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
      this.pending.delete(due.id);
      this.t = due.at;
      due.fn();
    }
    this.t = target;
  }

  /** Waits (in real time) until a timer of exactly `ms` is pending: the session has reached that wait. */
  async waitForTimer(ms: number, what = `a ${ms} ms timer`): Promise<void> {
    await eventually(what, () => this.pendingDurations().some((d) => Math.abs(d - ms) < 0.001), 10_000);
  }
}
