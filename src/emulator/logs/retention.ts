/**
 * Retention, really enforced: reads already hide events older than a group's retention (groups.ts,
 * retentionCutoff), and this sweep deletes them from the store, so storedBytes falls and the file does not grow
 * for ever. It runs on the clock it is given (tests drive it with a manual one).
 */
import type { Logger } from '../../shared/log.js';
import { realClock, type Clock, type TimerHandle } from '../../shared/clock.js';
import { retentionCutoff } from './groups.js';
import type { LogsStore } from './store.js';

export interface RetentionSweepOptions {
  store: LogsStore;
  log: Logger;
  /** How often expired events are deleted; default one minute. */
  intervalMs?: number;
  clock?: Clock;
}

export class RetentionSweep {
  private timer: TimerHandle | undefined;
  private readonly clock: Clock;

  constructor(private readonly opts: RetentionSweepOptions) {
    this.clock = opts.clock ?? realClock;
  }

  start(): void {
    this.timer = this.clock.setInterval(() => this.sweep(), this.opts.intervalMs ?? 60_000);
  }

  /** Deletes every group's expired events; returns how many went. */
  sweep(): number {
    let removed = 0;
    try {
      const now = this.clock.now();
      for (const group of this.opts.store.listGroups(undefined, -1)) {
        if (group.retentionInDays === undefined) continue;
        removed += this.opts.store.transaction(() => this.opts.store.expireEvents(group.name, retentionCutoff(group, now)));
      }
    } catch (err) {
      this.opts.log.warn({ err }, 'log retention sweep failed; retrying');
    }
    return removed;
  }

  close(): void {
    if (this.timer) this.clock.clearInterval(this.timer);
    this.timer = undefined;
  }
}
