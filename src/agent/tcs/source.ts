/**
 * What one TCS publish tick sends: task metrics from the shared collector, container health, instance status.
 * Reads the engine's tasks through a callback (the store's view), samples only running containers.
 */
import { randomUUID } from 'node:crypto';
import type { TaskRecord } from '../model/task.js';
import type { StatsCollector, StatsTarget } from '../stats/collector.js';
import { ContainerHealthTracker, RuntimeDoctor } from './health.js';
import { containerMetric, healthRequests, instanceStatusRequest, metricsRequests, type InstanceIdentity, type MessageContext } from './messages.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { PublishHealthRequest, PublishInstanceStatusRequest, PublishMetricsRequest, TaskHealth, TaskMetric } from '../../shared/protocol/tcs.js';
import { realClock, type Clock } from '../../shared/clock.js';

export interface TelemetryContainer {
  name: string;
  dockerId: string;
  healthCheck: boolean;
}

export interface TelemetryTask {
  arn: string;
  family: string;
  version: string;
  /** bridge / awsvpc carry network stats; host and none do not (spec §7). */
  network: boolean;
  containers: TelemetryContainer[];
}

/** A Docker health check in the container's dockerConfig.config overlay (spec §3.4), not disabled with NONE. */
export function hasHealthCheck(dockerConfig: string | undefined): boolean {
  if (!dockerConfig) return false;
  try {
    const test = (JSON.parse(dockerConfig) as { Healthcheck?: { Test?: unknown } }).Healthcheck?.Test;
    return Array.isArray(test) && test.length > 0 && test[0] !== 'NONE';
  } catch {
    return false;
  }
}

/** Pure: the running tasks and their running containers, as telemetry sees them. */
export function telemetryTasks(records: readonly TaskRecord[]): TelemetryTask[] {
  const out: TelemetryTask[] = [];
  for (const r of records) {
    if (r.state.known !== 'RUNNING') continue;
    const containers: TelemetryContainer[] = [];
    for (const c of r.state.containers) {
      const spec = r.spec.containers.find((s) => s.name === c.name);
      if (c.known !== 'RUNNING' || !c.dockerId || !spec) continue;
      containers.push({ name: c.name, dockerId: c.dockerId, healthCheck: hasHealthCheck(spec.dockerConfig) });
    }
    if (containers.length === 0) continue;
    const mode = r.spec.networkMode || 'bridge';
    out.push({ arn: r.spec.arn, family: r.spec.family, version: r.spec.version, network: mode !== 'host' && mode !== 'none', containers });
  }
  return out;
}

export interface TelemetrySourceOptions extends InstanceIdentity {
  tasks: () => readonly TaskRecord[];
  collector: StatsCollector;
  runtime: Pick<ContainerRuntime, 'inspectContainer' | 'version'>;
  /** When true, a poll timer samples and a publish only drains; else each publish samples once first. */
  pollMetrics: boolean;
  clock?: Clock;
  /** Called with each task's figures as published (Prometheus per-task gauges). */
  onTaskMetric?: (m: TaskMetric) => void;
}

export class TelemetrySource {
  private readonly health: ContainerHealthTracker;
  private readonly doctor: RuntimeDoctor;

  constructor(private readonly opts: TelemetrySourceOptions) {
    this.health = new ContainerHealthTracker({ runtime: opts.runtime, ...(opts.clock ? { clock: opts.clock } : {}) });
    this.doctor = new RuntimeDoctor({ runtime: opts.runtime, ...(opts.clock ? { clock: opts.clock } : {}) });
  }

  private ctx(): MessageContext {
    return { cluster: this.opts.cluster, containerInstance: this.opts.containerInstance, now: (this.opts.clock ?? realClock).now(), newId: randomUUID };
  }

  private targets(tasks: readonly TelemetryTask[]): StatsTarget[] {
    return tasks.flatMap((t) => t.containers.map((c) => ({ dockerId: c.dockerId, network: t.network })));
  }

  /** One sample of every running container (the ECS_POLL_METRICS timer). */
  async sample(): Promise<void> {
    await this.opts.collector.sample(this.targets(telemetryTasks(this.opts.tasks())));
  }

  async metrics(): Promise<PublishMetricsRequest[]> {
    const tasks = telemetryTasks(this.opts.tasks());
    if (!this.opts.pollMetrics) await this.opts.collector.sample(this.targets(tasks));
    const taskMetrics: TaskMetric[] = [];
    for (const t of tasks) {
      const containerMetrics = t.containers.flatMap((c) => containerMetric(c.name, this.opts.collector.drain(c.dockerId)) ?? []);
      if (containerMetrics.length === 0) continue;
      const m = { taskArn: t.arn, taskDefinitionFamily: t.family, taskDefinitionVersion: t.version, containerMetrics };
      taskMetrics.push(m);
      this.opts.onTaskMetric?.(m);
    }
    return metricsRequests(this.ctx(), taskMetrics);
  }

  async healthMessages(): Promise<PublishHealthRequest[]> {
    const tasks = telemetryTasks(this.opts.tasks());
    const checked = new Set<string>();
    const out: TaskHealth[] = [];
    for (const t of tasks) {
      const containers: TaskHealth['containers'] = [];
      for (const c of t.containers.filter((x) => x.healthCheck)) {
        checked.add(c.dockerId);
        const h = await this.health.read(c.dockerId).catch(() => undefined);
        if (h) containers.push({ containerName: c.name, healthStatus: h.status, statusSince: h.since / 1000 });
      }
      if (containers.length > 0) out.push({ taskArn: t.arn, taskDefinitionFamily: t.family, taskDefinitionVersion: t.version, containers });
    }
    this.health.retain(checked);
    return healthRequests(this.ctx(), out);
  }

  async instanceStatus(): Promise<PublishInstanceStatusRequest> {
    return instanceStatusRequest(this.ctx(), [await this.doctor.check()]);
  }
}
