/**
 * What the emulator keeps from TCS (spec §7), in memory and bounded: the latest metrics per task, container
 * health per task (for DescribeTasks healthStatus), and the latest instance status per container instance.
 * A restart forgets it all, as it would after an agent reconnect anyway: the agent republishes every 20s.
 */

export type HealthStatus = 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';

export interface StatsSet {
  min?: number;
  max?: number;
  sampleCount?: number;
  sum?: number;
}

export interface ContainerMetricRecord {
  containerName: string;
  cpu: StatsSet | undefined;
  memory: StatsSet | undefined;
  rxBytesPerSecond: StatsSet | undefined;
  txBytesPerSecond: StatsSet | undefined;
}

export interface TaskMetricsRecord {
  taskArn: string;
  instanceArn: string;
  family: string;
  version: string;
  /** Epoch ms when received. */
  receivedAt: number;
  containers: ContainerMetricRecord[];
}

export interface InstanceStatusRecord {
  instanceArn: string;
  receivedAt: number;
  statuses: { type: string; status: string }[];
}

/** What the API views read. */
export interface TelemetryView {
  containerHealth(taskArn: string, containerName: string): HealthStatus | undefined;
  /** ECS aggregation over essential containers that report health: any UNHEALTHY -> UNHEALTHY, all HEALTHY -> HEALTHY, else UNKNOWN. */
  taskHealth(taskArn: string, containers: readonly { name: string; essential: boolean }[]): HealthStatus;
}

export const MAX_TASKS = 5000;

/** Pure: the task-level status ECS shows for its containers' statuses. */
export function aggregateHealth(statuses: readonly (HealthStatus | undefined)[]): HealthStatus {
  const reported = statuses.filter((s): s is HealthStatus => s !== undefined);
  if (reported.length === 0) return 'UNKNOWN';
  if (reported.includes('UNHEALTHY')) return 'UNHEALTHY';
  return reported.every((s) => s === 'HEALTHY') ? 'HEALTHY' : 'UNKNOWN';
}

/** A Map that forgets its oldest-updated entries beyond `max`. */
class BoundedMap<V> extends Map<string, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(key: string, value: V): this {
    super.delete(key);
    super.set(key, value);
    while (this.size > this.max) this.delete(this.keys().next().value as string);
    return this;
  }
}

export class TelemetryStore implements TelemetryView {
  private readonly metrics = new BoundedMap<TaskMetricsRecord>(MAX_TASKS);
  private readonly health = new BoundedMap<Map<string, { status: HealthStatus; since: number | undefined }>>(MAX_TASKS);
  private readonly instances = new BoundedMap<InstanceStatusRecord>(MAX_TASKS);
  /** Publishes received per message type, for /metrics. */
  readonly received = new Map<string, number>();

  count(type: string): void {
    this.received.set(type, (this.received.get(type) ?? 0) + 1);
  }

  putTaskMetrics(rec: TaskMetricsRecord): void {
    this.metrics.set(rec.taskArn, rec);
  }

  putContainerHealth(taskArn: string, containerName: string, status: HealthStatus, since: number | undefined): void {
    const m = this.health.get(taskArn) ?? new Map<string, { status: HealthStatus; since: number | undefined }>();
    m.set(containerName, { status, since });
    this.health.set(taskArn, m);
  }

  putInstanceStatus(rec: InstanceStatusRecord): void {
    this.instances.set(rec.instanceArn, rec);
  }

  taskMetrics(): TaskMetricsRecord[] {
    return [...this.metrics.values()];
  }

  instanceStatuses(): InstanceStatusRecord[] {
    return [...this.instances.values()];
  }

  containerHealth(taskArn: string, containerName: string): HealthStatus | undefined {
    return this.health.get(taskArn)?.get(containerName)?.status;
  }

  taskHealth(taskArn: string, containers: readonly { name: string; essential: boolean }[]): HealthStatus {
    return aggregateHealth(containers.filter((c) => c.essential).map((c) => this.containerHealth(taskArn, c.name)));
  }
}
