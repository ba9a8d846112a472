/**
 * The state-change reporter: one pending slot and one sender per task, so submissions for a task are
 * strictly ordered and only the latest status is sent. At most 10 submissions are in flight across tasks (§6.4). A STOPPED change is never replaced by a lower one
 * and never dropped: it is retried with backoff(1s, 30s, x1.3, j0.2) until it succeeds or the agent closes
 * (the store still says "not sent", so the next agent resubmits it).
 */
import { SubmitTaskStateChangeCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { taskRank } from '../../shared/model/status.js';
import { Backoff } from '../../shared/time.js';
import { sleep } from '../../shared/clock.js';
import type { Logger } from '../../shared/log.js';
import { awsErrorName } from '../api/ecs-api.js';
import type { TaskStateChange } from './state-change.js';

export interface ReporterOptions {
  client: ECSClient;
  log: Logger;
  /** Called after a successful submission, so the engine can persist the sent statuses. */
  onSent: (change: TaskStateChange) => void;
  backoff?: { minMs: number; maxMs: number };
  /** Submissions in flight across all tasks; 10 like the official agent. */
  maxInFlight?: number;
}

/** A counting semaphore: FIFO waiters, so no task starves. */
class Slots {
  private free: number;
  private readonly waiters: (() => void)[] = [];
  constructor(size: number) {
    this.free = size;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.free++;
  }
  /** Lets every waiter through (on close, where the aborted send fails at once). */
  drain(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

// Read through a function: the slot changes while a send is awaited.
const pendingOf = (slot: Slot): TaskStateChange | undefined => slot.pending;

interface Slot {
  pending: TaskStateChange | undefined;
  sending: Promise<void> | undefined;
}

export class Reporter {
  private readonly slots = new Map<string, Slot>();
  private readonly abort = new AbortController();
  private closed = false;
  private readonly inFlight: Slots;

  constructor(private readonly opts: ReporterOptions) {
    this.inFlight = new Slots(opts.maxInFlight ?? 10);
  }

  submit(change: TaskStateChange): void {
    if (this.closed) return;
    let slot = this.slots.get(change.taskArn);
    if (!slot) {
      slot = { pending: undefined, sending: undefined };
      this.slots.set(change.taskArn, slot);
    }
    if (slot.pending && taskRank(slot.pending.status) > taskRank(change.status)) return;
    slot.pending = change;
    if (!slot.sending) slot.sending = this.drain(change.taskArn, slot);
  }

  private async drain(taskArn: string, slot: Slot): Promise<void> {
    const log = this.opts.log.child({ taskArn });
    while (slot.pending && !this.closed) {
      const change = slot.pending;
      slot.pending = undefined;
      const backoff = new Backoff({ minMs: this.opts.backoff?.minMs ?? 1000, maxMs: this.opts.backoff?.maxMs ?? 30_000, multiplier: 1.3, jitter: 0.2 });
      for (;;) {
        try {
          await this.inFlight.acquire();
          try {
            await this.opts.client.send(new SubmitTaskStateChangeCommand(change.input), { abortSignal: this.abort.signal });
          } finally {
            this.inFlight.release();
          }
          log.info({ status: change.input.status }, 'task state change submitted');
          this.opts.onSent(change);
          break;
        } catch (err) {
          if (this.closed) return;
          if (awsErrorName(err) === 'InvalidParameterException') {
            log.warn({ err, status: change.input.status }, 'state change rejected as invalid; dropping it');
            break;
          }
          log.warn({ err, status: change.input.status }, 'state change submission failed; retrying');
          // A newer change for this task supersedes the failed one, unless it would go backwards.
          const newer = pendingOf(slot);
          if (newer && taskRank(newer.status) >= taskRank(change.status)) break;
          try {
            await sleep(backoff.next(), this.abort.signal);
          } catch {
            return;
          }
        }
      }
    }
    slot.sending = undefined;
    if (!slot.pending) this.slots.delete(taskArn);
  }

  /** Stops sending; unsent changes stay unsent in the store and are resubmitted by the next agent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort(new Error('reporter closed'));
    this.inFlight.drain();
    await Promise.allSettled([...this.slots.values()].map((s) => s.sending));
  }
}
