/**
 * ECS's side of awsvpc, as the control plane runs it (spec §6.3, §13 item 6); EC2's side, the ENIs themselves, is
 * the simulated VPC (../vpc/vpc.ts), the one port of it ECS uses. An awsvpc task first gets an ENI in the
 * simulated VPC and an AttachTaskNetworkInterfacesMessage; its PayloadMessage follows only after the agent
 * reported the attachment ATTACHED, and carries the same ENI in elasticNetworkInterfaces. When the task is
 * STOPPED (or gone), a sweep detaches the ENI: its veth is deleted and its address freed.
 */
import type { AttachTaskNetworkInterfacesMessage, ElasticNetworkInterface } from '../../shared/protocol/acs.js';
import type { Logger } from '../../shared/log.js';
import type { EcsStore } from './store.js';
import type { TaskAttachmentRecord, TaskRecord } from './records.js';
import type { EniAllocation, SimulatedVpc } from '../vpc/vpc.js';
import { realClock, type TimerHandle, type Clock } from '../../shared/clock.js';

export const ENI_ATTACHMENT_TYPE = 'ElasticNetworkInterface';
/** How long the agent may take to see the ENI (the agent drops the attachment after it). */
const WAIT_TIMEOUT_MS = 60_000;
/** ECS's reason for a task whose ENI was never reported attached. */
export const ENI_TIMEOUT_REASON = 'Timeout waiting for network interface provisioning to complete.';

export interface EniAttachmentsOptions {
  vpc: SimulatedVpc;
  store: EcsStore;
  region: string;
  accountId: string;
  log: Logger;
  sweepMs?: number;
  /** The attach message's waitTimeoutMs; a task whose ENI is not ATTACHED by then is stopped. */
  attachTimeoutMs?: number;
  clock?: Clock;
}

export class EniAttachments {
  private timer: TimerHandle | undefined;
  private sweeping = false;

  private readonly clock: Clock;

  constructor(private readonly opts: EniAttachmentsOptions) {
    this.clock = opts.clock ?? realClock;
  }

  get subnetId(): string {
    return this.opts.vpc.subnetId;
  }

  start(): void {
    this.timer = this.clock.setInterval(() => void this.sweep(), this.opts.sweepMs ?? 500);
  }

  close(): void {
    if (this.timer) this.clock.clearInterval(this.timer);
    this.timer = undefined;
  }

  attachmentArn(attachmentId: string): string {
    return `arn:aws:ecs:${this.opts.region}:${this.opts.accountId}:attachment/${attachmentId}`;
  }

  /** The task's ENI attachment; allocates the ENI on first use and returns the task as it must be stored. */
  ensureAttachment(task: TaskRecord): { task: TaskRecord; attachment: TaskAttachmentRecord; allocation: EniAllocation } {
    const allocation = this.opts.vpc.allocate(task.arn);
    const existing = task.attachments?.find((a) => a.id === allocation.attachmentId);
    if (existing) return { task, attachment: existing, allocation };
    const attachment: TaskAttachmentRecord = {
      id: allocation.attachmentId,
      type: ENI_ATTACHMENT_TYPE,
      status: 'ATTACHING',
      details: [
        { name: 'subnetId', value: this.opts.vpc.subnetId },
        { name: 'networkInterfaceId', value: allocation.eniId },
        { name: 'macAddress', value: allocation.mac },
        { name: 'privateDnsName', value: this.opts.vpc.privateDnsName(allocation.ip) },
        { name: 'privateIPv4Address', value: allocation.ip },
      ],
    };
    return { task: { ...task, attachments: [...(task.attachments ?? []), attachment] }, attachment, allocation };
  }

  isAttached(task: TaskRecord): boolean {
    return (task.attachments ?? []).some((a) => a.type === ENI_ATTACHMENT_TYPE && a.status === 'ATTACHED');
  }

  /** The ENI as ACS carries it (attach message and payload alike). */
  acsEni(allocation: EniAllocation): ElasticNetworkInterface {
    const vpc = this.opts.vpc;
    return {
      ec2Id: allocation.eniId,
      macAddress: allocation.mac,
      attachmentArn: this.attachmentArn(allocation.attachmentId),
      index: 0,
      interfaceAssociationProtocol: 'default',
      ipv4Addresses: [{ privateAddress: allocation.ip, primary: true }],
      ipv6Addresses: [],
      subnetGatewayIpv4Address: `${vpc.gateway}/${vpc.prefixLength}`,
      domainNameServers: [vpc.dnsServer],
      domainName: [vpc.domain],
      privateDnsName: vpc.privateDnsName(allocation.ip),
    };
  }

  taskEni(task: TaskRecord): ElasticNetworkInterface | undefined {
    const a = this.opts.vpc.forTask(task.arn);
    return a ? this.acsEni(a) : undefined;
  }

  attachMessage(task: TaskRecord, allocation: EniAllocation, ids: { messageId: string; clusterArn: string; containerInstanceArn: string; nowMs: number }): AttachTaskNetworkInterfacesMessage {
    return {
      messageId: ids.messageId,
      clusterArn: ids.clusterArn,
      containerInstanceArn: ids.containerInstanceArn,
      taskArn: task.arn,
      taskClusterArn: ids.clusterArn,
      generatedAt: Math.floor(ids.nowMs / 1000),
      waitTimeoutMs: this.opts.attachTimeoutMs ?? WAIT_TIMEOUT_MS,
      elasticNetworkInterfaces: [this.acsEni(allocation)],
    };
  }

  /** EC2's side of an attachment: the ENI device appears on the instance (after the message, like EC2). */
  plug(allocation: EniAllocation): void {
    this.opts.vpc.plug(allocation).catch((err: unknown) => this.opts.log.error({ err, eni: allocation.eniId }, 'cannot attach the ENI'));
  }

  /**
   * SubmitTaskStateChange attachments: [{attachmentArn, status}] -> the task with the new attachment statuses,
   * and whether an ENI just became ATTACHED (the payload may go now).
   */
  applyAttachmentChanges(task: TaskRecord, changes: readonly unknown[] | undefined): { task: TaskRecord; attached: boolean } {
    let attached = false;
    if (!changes?.length || !task.attachments?.length) return { task, attached };
    const attachments = task.attachments.map((a) => {
      const change = changes.find((c): c is { attachmentArn: string; status: string } => (c as { attachmentArn?: unknown }).attachmentArn === this.attachmentArn(a.id));
      if (!change || change.status !== 'ATTACHED' || a.status !== 'ATTACHING') return a;
      attached = true;
      return { ...a, status: 'ATTACHED' };
    });
    return { task: { ...task, attachments }, attached };
  }

  /** A task whose ENI never became ATTACHED in time fails to start, as in ECS (the sweep then releases it). */
  private failUnattached(task: TaskRecord): void {
    const now = this.clock.now();
    const waiting = task.attachments?.some((x) => x.type === ENI_ATTACHMENT_TYPE && x.status === 'ATTACHING');
    if (!waiting || task.lastStatus !== 'PROVISIONING' || now - task.createdAt < (this.opts.attachTimeoutMs ?? WAIT_TIMEOUT_MS)) return;
    this.opts.log.warn({ taskArn: task.arn }, 'the task ENI was never reported attached; stopping the task');
    this.opts.store.putTask({
      ...task,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'TaskFailedToStart',
      stoppedReason: ENI_TIMEOUT_REASON,
      stoppingAt: now,
      stoppedAt: now,
      containers: task.containers.map((c) => ({ ...c, lastStatus: 'STOPPED' as const })),
      version: task.version + 1,
    });
  }

  /** Stops tasks whose ENI never attached; detaches the ENIs of STOPPED or vanished tasks. */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      for (const a of this.opts.vpc.all()) {
        const live = this.opts.store.getTask(a.taskArn);
        if (live) this.opts.store.transaction(() => this.failUnattached(live));
        const task = this.opts.store.getTask(a.taskArn);
        if (task && task.lastStatus !== 'STOPPED') continue;
        await this.opts.vpc.release(a.eniId);
        if (task?.attachments?.length) {
          this.opts.store.transaction(() => {
            const fresh = this.opts.store.getTask(task.arn) ?? task;
            const attachments = (fresh.attachments ?? []).map((x) => (x.id === a.attachmentId ? { ...x, status: 'DELETED' } : x));
            this.opts.store.putTask({ ...fresh, attachments, version: fresh.version + 1 });
          });
        }
      }
    } catch (err) {
      this.opts.log.warn({ err }, 'ENI sweep failed; retrying');
    } finally {
      this.sweeping = false;
    }
  }
}
