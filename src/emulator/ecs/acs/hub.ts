import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import type { Logger } from '../../../shared/log.js';
import type { AcsTask } from '../../../shared/protocol/acs.js';
import type { Arns } from '../arns.js';
import type { TaskDelivery } from '../context.js';
import type { ContainerInstanceRecord, TaskRecord } from '../records.js';
import type { EcsStore } from '../store.js';
import { acsTaskFor, payloadMessage } from './payload.js';
import { AcsSession } from './session.js';
import { answerStopVerification, buildTaskManifest } from './manifest.js';
import { CredentialsIssuer } from '../credentials/issuer.js';
import { withRoleCredentials } from '../credentials/attach.js';
import type { EniAttachments } from '../eni-attachments.js';
import type { EmulatedEcr } from '../../ecr/registry.js';

export interface AcsHubOptions {
  store: EcsStore;
  arns: Arns;
  log: Logger;
  heartbeatIntervalMs: number;
  now(): number;
  /** TaskManifestMessage period per session (0 or undefined = none). */
  manifestIntervalMs?: number;
  /** Unacked heartbeats in a row before agentConnected turns false (default 2). */
  missedHeartbeatLimit?: number;
  /** Task IAM role credentials: key lifetime and refresh period (tests shorten the refresh). */
  credentials?: { ttlMs?: number; refreshMs?: number };
  /** The simulated VPC: awsvpc tasks get an ENI first (absent: the emulator has no VPC). */
  vpc?: EniAttachments | undefined;
  /** The emulated ECR registry: its images get registryAuthentication type ecr. */
  ecr?: EmulatedEcr | undefined;
  /** An agent connected or disconnected (the service controller places on connected instances only). */
  onSessionChange?: () => void;
}

/**
 * All ACS sessions, at most one per container instance (a new connection replaces the old one).
 *
 * Delivery contract: every PayloadMessage gets the instance's next persisted seqNum and a fresh messageId,
 * and stays pending until acked. The agent keeps no replay state across connections (spec §4.3), so on each
 * connect the pending messages are superseded by one PayloadMessage with the desired state of every task on
 * the instance that is not STOPPED yet. Changes while disconnected therefore need no queue of their own.
 */
export class AcsHub implements TaskDelivery {
  private readonly sessions = new Map<string, AcsSession>();
  private readonly queued = new Map<string, Set<string>>();
  private flushScheduled = false;
  private readonly issuer: CredentialsIssuer;

  constructor(private readonly opts: AcsHubOptions) {
    this.issuer = new CredentialsIssuer({
      ...opts.credentials,
      now: opts.now,
      log: opts.log,
      isLive: (taskArn) => {
        const t = opts.store.getTask(taskArn);
        return t !== undefined && t.lastStatus !== 'STOPPED' && t.desiredStatus !== 'STOPPED';
      },
      send: (instanceArn, message) => {
        const s = this.sessions.get(instanceArn);
        if (!s?.isOpen) return false;
        s.send('IAMRoleCredentialsMessage', message);
        return true;
      },
    });
  }

  /** agentConnected: a session is open and the agent acks heartbeats (false after missed acks, true on reconnect). */
  isConnected(instanceArn: string): boolean {
    return this.sessions.get(instanceArn)?.isResponsive ?? false;
  }

  /** Runs after the caller's transaction commits (setImmediate), so the agent never sees uncommitted tasks. */
  deliver(instanceArn: string, taskArns: readonly string[]): void {
    // An open but silent session still gets payloads: they stay pending and are re-sent on reconnect anyway.
    if (!(this.sessions.get(instanceArn)?.isOpen ?? false)) return;
    const set = this.queued.get(instanceArn) ?? new Set<string>();
    for (const a of taskArns) set.add(a);
    this.queued.set(instanceArn, set);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /**
   * `sendCredentials` is the agent's query flag (true on its first connection after a start, when it has no
   * credentials in memory): payloads re-sent on this connection then carry every task's credentials again.
   */
  attach(ws: WebSocket, instance: ContainerInstanceRecord, opts: { sendCredentials?: boolean } = {}): void {
    const log = this.opts.log.child({ containerInstanceArn: instance.arn });
    this.sessions.get(instance.arn)?.close(1000, 'replaced by a new connection');
    const session = new AcsSession({
      ws,
      instanceArn: instance.arn,
      heartbeatIntervalMs: this.opts.heartbeatIntervalMs,
      log,
      missedHeartbeatLimit: this.opts.missedHeartbeatLimit,
      manifestIntervalMs: this.opts.manifestIntervalMs,
      buildManifest: () => buildTaskManifest({ store: this.opts.store, arns: this.opts.arns, instanceArn: instance.arn, nowMs: this.opts.now() }),
      onStopVerification: (msg) => {
        const ack = answerStopVerification(this.opts.store, msg, this.opts.now());
        log.info({ messageId: msg.messageId, stop: ack.stopTasks?.length ?? 0 }, 'answering stop verification');
        this.sessions.get(instance.arn)?.send('TaskStopVerificationAck', ack);
      },
      onCredentialsAck: (ack) => this.issuer.onAck(ack),
      onAck: (messageId) => {
        if (this.opts.store.ackMessage(messageId)) log.debug({ messageId }, 'payload acked');
      },
      onClose: (s) => {
        if (this.sessions.get(s.instanceArn) === s) this.sessions.delete(s.instanceArn);
        log.info('acs session closed');
        this.opts.onSessionChange?.();
      },
    });
    this.sessions.set(instance.arn, session);
    log.info('acs session open');
    const live = this.opts.store.transaction(() => {
      this.opts.store.dropPendingMessages(instance.arn);
      return this.opts.store.listTasksOnInstance(instance.arn).filter((t) => t.lastStatus !== 'STOPPED');
    });
    this.sendTasks(session, live.map((t) => t.arn), opts.sendCredentials ?? true);
    this.issuer.resendUnacked(instance.arn);
  }

  close(): void {
    this.issuer.close();
    for (const s of this.sessions.values()) s.close(1001, 'emulator shutting down');
    this.sessions.clear();
  }

  private flush(): void {
    this.flushScheduled = false;
    const queued = [...this.queued];
    this.queued.clear();
    for (const [instanceArn, taskArns] of queued) {
      const session = this.sessions.get(instanceArn);
      if (session?.isOpen) this.sendTasks(session, [...taskArns], true);
    }
  }

  private sendTasks(session: AcsSession, taskArns: readonly string[], withCredentials: boolean): void {
    const { store, arns, now, log, vpc } = this.opts;
    const attachFrames: (() => void)[] = [];
    const frame = store.transaction(() => {
      const tasks = taskArns
        .map((a) => store.getTask(a))
        .filter((t): t is TaskRecord => t !== undefined && t.lastStatus !== 'STOPPED');
      if (tasks.length === 0) return undefined;
      const withCreds: AcsTask[] = [];
      const sent = new Set<string>();
      const acsTasks = tasks.flatMap((t) => {
        const td = store.getTaskDefinition(...familyRevision(t.taskDefinitionArn));
        if (!td) return [];
        const awsvpc = vpc !== undefined && td.body['networkMode'] === 'awsvpc';
        // awsvpc (§6.3): the ENI is attached and reported ATTACHED before the task itself is sent.
        if (awsvpc && !vpc.isAttached(t)) {
          if (t.desiredStatus !== 'STOPPED') attachFrames.push(this.attachEni(session, t));
          return [];
        }
        sent.add(t.arn);
        const acsTask = acsTaskFor(t, td, arns.accountId, this.opts.ecr);
        const eni = awsvpc ? vpc.taskEni(t) : undefined;
        if (eni) acsTask.elasticNetworkInterfaces = [eni];
        const who = { taskArn: t.arn, taskClusterArn: arns.cluster(t.cluster), instanceArn: session.instanceArn };
        withCreds.push(withCredentials ? withRoleCredentials(acsTask, td.body, who, this.issuer) : acsTask);
        return [acsTask];
      });
      const instance = store.getInstance(session.instanceArn);
      if (!instance || acsTasks.length === 0) return undefined;
      const messageId = randomUUID();
      const seqNum = store.nextSeqNum(session.instanceArn);
      const message = payloadMessage({
        messageId,
        seqNum,
        clusterArn: arns.cluster(instance.cluster),
        containerInstanceArn: instance.arn,
        generatedAtMs: now(),
        tasks: acsTasks,
      });
      // The stored copy has no credentials: they live in memory only and go on the wire alone.
      const body = JSON.stringify({ type: 'PayloadMessage', message });
      store.putPendingMessage({ messageId, instanceArn: instance.arn, seqNum, body });
      for (const t of tasks) {
        if (t.lastStatus === 'PROVISIONING' && sent.has(t.arn)) store.putTask({ ...t, lastStatus: 'PENDING', version: t.version + 1 });
      }
      log.debug({ messageId, seqNum, tasks: acsTasks.length }, 'sending payload');
      return JSON.stringify({ type: 'PayloadMessage', message: { ...message, tasks: withCreds } });
    });
    for (const send of attachFrames) send();
    if (frame) session.sendRaw(frame);
  }

  /** In the caller's transaction: allocate the task's ENI; returns what to do after commit (message, then device). */
  private attachEni(session: AcsSession, task: TaskRecord): () => void {
    const vpc = this.opts.vpc!;
    const { task: withEni, allocation } = vpc.ensureAttachment(task);
    if (withEni !== task) this.opts.store.putTask({ ...withEni, version: task.version + 1 });
    const instance = this.opts.store.getInstance(session.instanceArn);
    const clusterArn = this.opts.arns.cluster(instance?.cluster ?? task.cluster);
    const message = vpc.attachMessage(task, allocation, { messageId: randomUUID(), clusterArn, containerInstanceArn: session.instanceArn, nowMs: this.opts.now() });
    return () => {
      this.opts.log.info({ taskArn: task.arn, eni: allocation.eniId }, 'attaching the task ENI');
      session.send('AttachTaskNetworkInterfacesMessage', message);
      vpc.plug(allocation);
    };
  }
}

/** `...:task-definition/<family>:<rev>` -> [family, rev]. */
function familyRevision(tdArn: string): [string, number] {
  const spec = tdArn.slice(tdArn.lastIndexOf('/') + 1);
  const i = spec.lastIndexOf(':');
  return [spec.slice(0, i), Number(spec.slice(i + 1))];
}
