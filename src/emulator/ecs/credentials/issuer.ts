/**
 * Task IAM role credentials on the control-plane side (spec §3.2, §4.2): one credentials id per task and role
 * (TaskApplication for taskRoleArn, TaskExecution for executionRoleArn), fresh keys on every refresh under the
 * same id, because containers keep the /v2/credentials/<id> URI they were created with.
 *
 *   issue ──> delivered in PayloadMessage ──(refreshMs)──> new keys, same id ──> IAMRoleCredentialsMessage
 *                                                  ^                                  │ (ack tracked;
 *                                                  └──────── while the task is live ──┘  unacked re-sent on connect)
 *
 * Kept in memory only: an emulator restart issues new credentials (and ids) for live tasks. Nothing here is
 * logged beyond task ARNs, role types and message ids.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../shared/log.js';
import type { IAMRoleCredentials, IAMRoleCredentialsMessage } from '../../../shared/protocol/acs.js';
import { fakeRoleCredentials } from './keys.js';
import { realClock, type TimerHandle } from '../../../shared/clock.js';

export type RoleType = 'TaskApplication' | 'TaskExecution';

export interface IssuerOptions {
  now(): number;
  log: Logger;
  /** Lifetime of one set of keys; 1h by default. */
  ttlMs?: number;
  /** How long after issuing the keys are replaced; 45 min by default (15 min before expiry). Tests lower it. */
  refreshMs?: number;
  /** Whether the task still needs credentials (not STOPPED); checked before every refresh. */
  isLive(taskArn: string): boolean;
  /** Delivers a refresh to the task's instance; false when the instance is not connected (re-sent on connect). */
  send(instanceArn: string, message: IAMRoleCredentialsMessage): boolean;
}

interface Entry {
  taskArn: string;
  taskClusterArn: string;
  instanceArn: string;
  roleType: RoleType;
  credentials: IAMRoleCredentials;
  /** The last IAMRoleCredentialsMessage sent for this entry and not acked yet. */
  unacked: IAMRoleCredentialsMessage | undefined;
  timer: TimerHandle | undefined;
}

export class CredentialsIssuer {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly refreshMs: number;
  private closed = false;

  constructor(private readonly opts: IssuerOptions) {
    this.ttlMs = opts.ttlMs ?? 60 * 60_000;
    this.refreshMs = Math.min(opts.refreshMs ?? 45 * 60_000, this.ttlMs);
  }

  /** The task's current credentials for the role, issued on first use (then refreshed on a timer). */
  credentialsFor(task: { taskArn: string; taskClusterArn: string; instanceArn: string }, roleType: RoleType, roleArn: string): IAMRoleCredentials {
    const key = `${task.taskArn}|${roleType}`;
    const existing = this.entries.get(key);
    if (existing && existing.credentials.roleArn === roleArn) return existing.credentials;
    const entry: Entry = {
      ...task,
      roleType,
      credentials: fakeRoleCredentials({ credentialsId: existing?.credentials.credentialsId ?? randomUUID(), roleArn, expiresAtMs: this.opts.now() + this.ttlMs }),
      unacked: undefined,
      timer: existing?.timer,
    };
    this.entries.set(key, entry);
    if (!entry.timer) this.schedule(key);
    return entry.credentials;
  }

  /** IAMRoleCredentialsAckRequest (for a refresh, or for credentials embedded in a payload). */
  onAck(ack: { messageId?: string; credentialsId?: string }): void {
    for (const e of this.entries.values()) {
      if (e.unacked && (e.unacked.messageId === ack.messageId || e.credentials.credentialsId === ack.credentialsId)) e.unacked = undefined;
    }
  }

  /** A new connection from the instance: re-send refreshes it never acknowledged. */
  resendUnacked(instanceArn: string): void {
    for (const e of this.entries.values()) {
      if (e.instanceArn === instanceArn && e.unacked && this.opts.isLive(e.taskArn)) this.opts.send(instanceArn, e.unacked);
    }
  }

  /** How many refresh messages are waiting for an ack (for tests and diagnostics). */
  unackedCount(): number {
    return [...this.entries.values()].filter((e) => e.unacked !== undefined).length;
  }

  close(): void {
    this.closed = true;
    for (const e of this.entries.values()) if (e.timer) realClock.clearTimeout(e.timer);
    this.entries.clear();
  }

  private schedule(key: string): void {
    const entry = this.entries.get(key);
    if (!entry || this.closed) return;
    entry.timer = realClock.setTimeout(() => this.refresh(key), this.refreshMs);
  }

  private refresh(key: string): void {
    const e = this.entries.get(key);
    if (!e || this.closed) return;
    e.timer = undefined;
    if (!this.opts.isLive(e.taskArn)) {
      this.entries.delete(key);
      return;
    }
    e.credentials = fakeRoleCredentials({ credentialsId: e.credentials.credentialsId!, roleArn: e.credentials.roleArn!, expiresAtMs: this.opts.now() + this.ttlMs });
    e.unacked = {
      messageId: randomUUID(),
      taskArn: e.taskArn,
      taskClusterArn: e.taskClusterArn,
      roleType: e.roleType,
      roleCredentials: e.credentials,
    };
    const sent = this.opts.send(e.instanceArn, e.unacked);
    this.opts.log.debug({ taskArn: e.taskArn, roleType: e.roleType, messageId: e.unacked.messageId, sent }, 'task credentials refreshed');
    this.schedule(key);
  }
}
