/**
 * Task ENI attachments (spec §4.2 "Attach ENI", §6.3): each AttachTaskNetworkInterfacesMessage becomes a
 * persisted record {mac, attachmentArn, taskArn, expiresAt, sent}. While unsent records exist, the host's links
 * are polled by MAC; when the ENI appears, SubmitTaskStateChange{cluster, task, attachments:[ATTACHED]} (no
 * status, no containers) is sent, retried with backoff until it succeeds or the record expires. A sent record
 * stays until the task's network is torn down, so a restarted agent neither re-reports nor forgets it.
 */
import type { SubmitTaskStateChangeCommandInput } from '@aws-sdk/client-ecs';
import type { Logger } from '../../../shared/log.js';
import { Backoff } from '../../../shared/time.js';
import { sleep } from '../../../shared/clock.js';
import type { EniAttachmentRecord, StateStore } from '../../state/store.js';
import type { TaskEni } from '../../model/eni.js';
import { linkMacs, SYS_CLASS_NET } from './links.js';
import { realClock, type TimerHandle, type Clock } from '../../../shared/clock.js';

export interface EniAttachmentsOptions {
  store: StateStore;
  cluster: string;
  /** SubmitTaskStateChange; rejects when the call failed. */
  submit: (input: SubmitTaskStateChangeCommandInput) => Promise<void>;
  log: Logger;
  pollMs?: number;
  /** Where links are listed (tests point it elsewhere). */
  sysClassNet?: string;
  clock?: Clock;
}

export type AddOutcome = 'added' | 'duplicate';

export class EniAttachments {
  private readonly records = new Map<string, EniAttachmentRecord>();
  private readonly sending = new Set<string>();
  private readonly abort = new AbortController();
  private timer: TimerHandle | undefined;
  private polling = false;
  private readonly clock: Clock;

  constructor(private readonly opts: EniAttachmentsOptions) {
    this.clock = opts.clock ?? realClock;
    for (const r of opts.store.loadEniAttachments()) {
      if (!r.sent && r.expiresAt <= this.clock.now()) opts.store.deleteEniAttachment(r.attachmentArn);
      else this.records.set(r.attachmentArn, r);
    }
  }

  start(): void {
    this.schedule();
  }

  /** A duplicate message (a MAC already known) is a no-op: its timer already runs (§4.2). */
  add(a: { attachmentArn: string; taskArn: string; eni: TaskEni; waitTimeoutMs: number }): AddOutcome {
    const known = [...this.records.values()].find((r) => r.mac === a.eni.mac || r.attachmentArn === a.attachmentArn);
    if (known) return 'duplicate';
    const rec: EniAttachmentRecord = {
      attachmentArn: a.attachmentArn,
      taskArn: a.taskArn,
      mac: a.eni.mac,
      expiresAt: this.clock.now() + a.waitTimeoutMs,
      sent: false,
      details: { eni: a.eni },
    };
    this.opts.store.saveEniAttachment(rec);
    this.records.set(rec.attachmentArn, rec);
    this.opts.log.info({ attachmentArn: rec.attachmentArn, mac: rec.mac, taskArn: rec.taskArn }, 'ENI attachment expected');
    this.schedule(0);
    return 'added';
  }

  /** The record for a task's ENI, if any (sent or not). */
  forMac(mac: string): EniAttachmentRecord | undefined {
    return [...this.records.values()].find((r) => r.mac === mac.toLowerCase());
  }

  /** The task's network is gone: forget its attachment. */
  remove(mac: string): void {
    const r = this.forMac(mac);
    if (!r) return;
    this.records.delete(r.attachmentArn);
    this.opts.store.deleteEniAttachment(r.attachmentArn);
  }

  private pending(): EniAttachmentRecord[] {
    return [...this.records.values()].filter((r) => !r.sent && !this.sending.has(r.attachmentArn));
  }

  private schedule(delay = this.opts.pollMs ?? 50): void {
    if (this.abort.signal.aborted || this.timer || this.polling) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, delay);
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      const pending = this.pending();
      if (pending.length === 0) return;
      const macs = new Set((await linkMacs(this.opts.sysClassNet ?? SYS_CLASS_NET)).values());
      for (const r of pending) {
        if (r.expiresAt <= this.clock.now()) {
          this.opts.log.warn({ attachmentArn: r.attachmentArn, mac: r.mac }, 'ENI never appeared before the attachment expired; dropped');
          this.records.delete(r.attachmentArn);
          this.opts.store.deleteEniAttachment(r.attachmentArn);
        } else if (macs.has(r.mac)) {
          void this.report(r);
        }
      }
    } finally {
      this.polling = false;
      if (this.pending().length > 0) this.schedule();
    }
  }

  /** §6.3: ATTACHED for the task, retried until it is accepted or the attachment expired. */
  private async report(r: EniAttachmentRecord): Promise<void> {
    this.sending.add(r.attachmentArn);
    const backoff = new Backoff({ minMs: 100, maxMs: 5000, multiplier: 1.5, jitter: 0.2 });
    try {
      for (;;) {
        try {
          await this.opts.submit({ cluster: this.opts.cluster, task: r.taskArn, attachments: [{ attachmentArn: r.attachmentArn, status: 'ATTACHED' }] });
          r.sent = true;
          if (this.records.has(r.attachmentArn)) this.opts.store.saveEniAttachment(r);
          this.opts.log.info({ attachmentArn: r.attachmentArn, mac: r.mac }, 'ENI attached; reported');
          return;
        } catch (err) {
          if (this.abort.signal.aborted) return;
          if (r.expiresAt <= this.clock.now()) {
            this.opts.log.warn({ err, attachmentArn: r.attachmentArn }, 'ENI attachment expired before it could be reported');
            return;
          }
          this.opts.log.warn({ err, attachmentArn: r.attachmentArn }, 'ENI attachment report failed; retrying');
          await sleep(backoff.next(), this.abort.signal).catch(() => undefined);
          if (this.abort.signal.aborted) return;
        }
      }
    } finally {
      this.sending.delete(r.attachmentArn);
    }
  }

  close(): void {
    this.abort.abort();
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
