import { randomUUID } from 'node:crypto';
import { arnId } from '../../../shared/aws/arn.js';
import type { Logger } from '../../../shared/log.js';
import type { ChangeSignal, EmulatorContext } from '../context.js';
import { parseConstraints, parseStrategies, taskDefinitionConstraints } from '../scheduler/placement-input.js';
import { evaluate } from '../scheduler/query/evaluate.js';
import type { ClusterRecord, ServiceRecord, TaskDefinitionRecord, TaskRecord } from '../records.js';
import { clusterCapacities, launchTasks } from '../tasks/launch.js';
import { requestStop } from '../tasks/stop.js';
import { reconcile } from './reconcile.js';
import { addEvent } from './rollout.js';
import type { InstanceInfo, StartAction } from './model.js';
import { newDeploymentId } from './deployments.js';
import { realClock, type TimerHandle } from '../../../shared/clock.js';

export interface ServiceControllerOptions {
  log: Logger;
  /** The periodic pass (a safety net beside change signals); tests shorten it. Default 1000 ms. */
  intervalMs?: number;
}

/**
 * The loop around the pure `reconcile`: a pass runs on every change signal (coalesced to one per tick of
 * the event loop, after the signalling transaction committed) and every `intervalMs`. Each service is
 * reconciled in its own transaction: read tasks and instances, decide, then stop, place and persist.
 */
export class ServiceController implements ChangeSignal {
  private ctx: EmulatorContext | undefined;
  private timer: TimerHandle | undefined;
  private scheduled = false;
  private closed = false;

  constructor(private readonly opts: ServiceControllerOptions) {}

  /** Starts the periodic pass; `ctx` is the emulator context whose `services` is this controller. */
  start(ctx: EmulatorContext): void {
    this.ctx = ctx;
    this.timer = realClock.setInterval(() => this.pass(), this.opts.intervalMs ?? 1000);
    this.changed();
  }

  changed(): void {
    if (this.scheduled || this.closed || !this.ctx) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pass();
    });
  }

  close(): void {
    this.closed = true;
    if (this.timer) realClock.clearInterval(this.timer);
  }

  /** One reconcile pass over every service of every cluster. */
  pass(): void {
    const ctx = this.ctx;
    if (!ctx || this.closed) return;
    try {
      for (const cluster of ctx.store.listClusters()) {
        if (cluster.status === 'INACTIVE') continue;
        for (const svc of ctx.store.listServices(cluster.name)) {
          if (svc.status !== 'INACTIVE') ctx.store.transaction(() => this.reconcileOne(ctx, cluster, svc.arn));
        }
      }
    } catch (err) {
      this.opts.log.error({ err }, 'service controller pass failed');
    }
  }

  private reconcileOne(ctx: EmulatorContext, cluster: ClusterRecord, serviceArn: string): void {
    const service = ctx.store.getService(serviceArn);
    if (!service || service.status === 'INACTIVE') return;
    const primaryId = service.deployments[0]?.id;
    const tasks = ctx.store
      .listTasks(cluster.name)
      .filter((t) => t.serviceName === service.name && (t.lastStatus !== 'STOPPED' || t.deploymentId === primaryId));
    const now = ctx.now();
    const r = reconcile({
      service,
      tasks,
      instances: this.instances(ctx, cluster, service),
      now,
      ids: { deployment: newDeploymentId, event: randomUUID },
    });
    let next = r.service;
    const stopped: TaskRecord[] = [];
    for (const s of r.stop) {
      const t = tasks.find((x) => x.arn === s.taskArn);
      if (t) stopped.push(requestStop(ctx, t, s.reason, 'ServiceSchedulerInitiated'));
    }
    if (stopped.length > 0) {
      next = addEvent(next, randomUUID(), now, `(service ${next.name}) has stopped ${stopped.length} running tasks: ${taskList(stopped)}.`);
    }
    const started: TaskRecord[] = [];
    for (const a of r.start) {
      const out = this.launch(ctx, cluster, next, a);
      started.push(...out.tasks);
      if (out.reason) next = unableToPlace(next, now, out.reason);
    }
    if (started.length > 0) {
      next = addEvent(next, randomUUID(), now, `(service ${next.name}) has started ${started.length} tasks: ${taskList(started)}.`);
    }
    if (JSON.stringify(next) !== JSON.stringify(service)) ctx.store.putService(next);
  }

  private instances(ctx: EmulatorContext, cluster: ClusterRecord, service: ServiceRecord): InstanceInfo[] {
    const td = taskDefinitionOf(ctx, service.deployments[0]?.taskDefinition ?? service.taskDefinition);
    const constraints = [...parseConstraints(service.placementConstraints), ...(td ? taskDefinitionConstraints(td.body) : [])];
    const exprs = constraints.flatMap((c) => (c.type === 'memberOf' ? [c.expression] : []));
    const caps = new Map(clusterCapacities(ctx, cluster.name).map((c) => [c.arn, c]));
    return ctx.store.listInstances(cluster.name).map((i) => {
      const cap = caps.get(i.arn);
      const facts = cap && {
        ec2InstanceId: i.ec2InstanceId,
        registeredAt: i.registeredAt,
        runningTasksCount: cap.runningTasksCount ?? 0,
        agentConnected: cap.connected,
        agentVersion: cap.agentVersion,
        dockerVersion: cap.dockerVersion,
        attributes: cap.attributes ?? new Map<string, string | undefined>(),
        taskGroups: cap.taskGroups ?? new Map<string, number>(),
      };
      const eligible = i.status === 'ACTIVE' && facts !== undefined && exprs.every((e) => evaluate(e, facts));
      return { arn: i.arn, status: i.status, eligible };
    });
  }

  private launch(ctx: EmulatorContext, cluster: ClusterRecord, svc: ServiceRecord, a: StartAction): { tasks: TaskRecord[]; reason?: string } {
    const td = taskDefinitionOf(ctx, a.taskDefinition);
    if (!td) return { tasks: [], reason: `the task definition ${a.taskDefinition} does not exist` };
    const tags = svc.propagateTags === 'SERVICE' ? svc.tags : svc.propagateTags === 'TASK_DEFINITION' ? (td.tags ?? []) : [];
    const r = launchTasks(ctx, {
      cluster,
      td,
      count: a.count,
      startedBy: a.deploymentId,
      group: `service:${svc.name}`,
      tags,
      constraints: [...parseConstraints(svc.placementConstraints), ...taskDefinitionConstraints(td.body)],
      strategies: svc.schedulingStrategy === 'DAEMON' ? [] : parseStrategies(svc.placementStrategy),
      onlyInstances: a.instanceArn ? [a.instanceArn] : undefined,
      serviceName: svc.name,
      deploymentId: a.deploymentId,
    });
    const reason = r.failures.length > 0 ? [...new Set(r.failures.map((f) => f.reason))].join(', ') : undefined;
    return { tasks: r.tasks, reason };
  }
}

function taskDefinitionOf(ctx: EmulatorContext, arn: string): TaskDefinitionRecord | undefined {
  const spec = arn.slice(arn.lastIndexOf('/') + 1);
  const i = spec.lastIndexOf(':');
  return ctx.store.getTaskDefinition(spec.slice(0, i), Number(spec.slice(i + 1)));
}

function taskList(tasks: readonly TaskRecord[]): string {
  return tasks.map((t) => `(task ${arnId(t.arn)})`).join(' ');
}

/** ECS repeats this event while placement keeps failing; the emulator writes it once per distinct reason run. */
function unableToPlace(s: ServiceRecord, now: number, reason: string): ServiceRecord {
  const message = `(service ${s.name}) was unable to place a task because no container instance met all of its requirements. Reason: ${reason.replace(/\.$/, '')}.`;
  return s.events[0]?.message === message ? s : addEvent(s, randomUUID(), now, message);
}
