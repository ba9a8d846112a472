/**
 * The state-change reporter: one pending slot and one sender per task, so submissions for a task are
 * strictly ordered and only the latest status is sent. A STOPPED change is never replaced by a lower one
 * and never dropped: it is retried with backoff(1s, 30s, x1.3, j0.2) until it succeeds or the agent closes
 * (the store still says "not sent", so the next agent resubmits it).
 */
import { SubmitTaskStateChangeCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { taskRank } from '../../shared/model/status.js';
import { Backoff, sleep } from '../../shared/time.js';
import type { Logger } from '../../shared/log.js';
import { awsErrorName } from '../api/ecs-api.js';
import type { TaskStateChange } from './state-change.js';

export interface ReporterOptions {
  client: ECSClient;
  log: Logger;
  /** Called after a successful submission, so the engine can persist the sent statuses. */
  onSent: (change: TaskStateChange) => void;
  backoff?: { minMs: number; maxMs: number };
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

  constructor(private readonly opts: ReporterOptions) {}

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
          await this.opts.client.send(new SubmitTaskStateChangeCommand(change.input), { abortSignal: this.abort.signal });
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
    await Promise.allSettled([...this.slots.values()].map((s) => s.sending));
  }
}
