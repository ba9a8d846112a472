import { arnId } from '../../../shared/aws/arn.js';
import type { EmulatorContext } from '../context.js';
import { instanceCapacity } from '../scheduler/capacity.js';
import { taskDemand } from '../scheduler/demand.js';
import { placeTasks, type InstanceCapacity, type PlacementConstraint, type PlacementFailure, type PlacementStrategy } from '../scheduler/placement.js';
import type {
  ClusterRecord,
  ContainerInstanceRecord,
  ContainerOverride,
  ContainerRecord,
  Tag,
  TaskDefinitionRecord,
  TaskRecord,
} from '../records.js';

/** Everything that makes new tasks: RunTask, StartTask and the service controller. */
export interface LaunchRequest {
  cluster: ClusterRecord;
  td: TaskDefinitionRecord;
  count: number;
  containerOverrides?: ContainerOverride[];
  /** Task-level cpu / memory overrides (strings, as in the API). */
  cpu?: string;
  memory?: string;
  startedBy?: string;
  clientToken?: string | undefined;
  group: string;
  tags?: Tag[];
  constraints?: readonly PlacementConstraint[];
  strategies?: readonly PlacementStrategy[];
  /** StartTask and DAEMON services: only these instances are candidates. */
  onlyInstances?: readonly string[];
  serviceName?: string;
  deploymentId?: string;
}

export interface LaunchResult {
  tasks: TaskRecord[];
  failures: PlacementFailure[];
}

interface ContainerDefinitionLike {
  name: string;
  image: string;
  essential?: boolean;
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
}

/** Capacity of every instance of the cluster, from one read of the cluster's live tasks. */
export function clusterCapacities(ctx: EmulatorContext, cluster: string): InstanceCapacity[] {
  const byInstance = new Map<string, TaskRecord[]>();
  for (const t of ctx.store.listLiveTasks(cluster)) {
    const list = byInstance.get(t.containerInstanceArn);
    if (list) list.push(t);
    else byInstance.set(t.containerInstanceArn, [t]);
  }
  return ctx.store
    .listInstances(cluster)
    .filter((i) => i.status !== 'INACTIVE')
    .map((i: ContainerInstanceRecord) => instanceCapacity(i, byInstance.get(i.arn) ?? [], ctx.delivery.isConnected(i.arn)));
}

/** Places, persists and hands the new tasks to their instances' ACS sessions. Call inside a transaction. */
export function launchTasks(ctx: EmulatorContext, req: LaunchRequest, capacities = clusterCapacities(ctx, req.cluster.name)): LaunchResult {
  const overrides = req.containerOverrides ?? [];
  const cpu = req.cpu ?? (typeof req.td.body['cpu'] === 'string' ? req.td.body['cpu'] : undefined);
  const memory = req.memory ?? (typeof req.td.body['memory'] === 'string' ? req.td.body['memory'] : undefined);
  const demand = taskDemand({ ...req.td.body, cpu, memory }, overrides);
  const candidates = req.onlyInstances ? capacities.filter((c) => req.onlyInstances!.includes(c.arn)) : capacities;
  const placement = placeTasks(
    { count: req.count, demand, group: req.group, constraints: req.constraints, strategies: req.strategies },
    candidates,
  );
  const now = ctx.now();
  const tasks = placement.assignments.map((instanceArn) => {
    const arn = ctx.arns.task(req.cluster.name);
    const task: TaskRecord = {
      arn,
      cluster: req.cluster.name,
      taskDefinitionArn: req.td.arn,
      containerInstanceArn: instanceArn,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      containers: containersFor(ctx, req.cluster.name, arnId(arn), req.td, overrides),
      containerOverrides: overrides,
      reserved: demand,
      cpu,
      memory,
      overrideCpu: req.cpu,
      overrideMemory: req.memory,
      startedBy: req.startedBy,
      ...(req.clientToken !== undefined ? { clientToken: req.clientToken } : {}),
      group: req.group,
      tags: req.tags ?? [],
      serviceName: req.serviceName,
      deploymentId: req.deploymentId,
      version: 1,
      createdAt: now,
    };
    ctx.store.putTask(task);
    return task;
  });
  for (const instanceArn of new Set(placement.assignments)) {
    ctx.delivery.deliver(instanceArn, tasks.filter((t) => t.containerInstanceArn === instanceArn).map((t) => t.arn));
  }
  return { tasks, failures: placement.failures };
}

function containersFor(
  ctx: EmulatorContext,
  cluster: string,
  taskId: string,
  td: TaskDefinitionRecord,
  overrides: ContainerOverride[],
): ContainerRecord[] {
  const defs = td.body['containerDefinitions'] as ContainerDefinitionLike[];
  return defs.map((d) => {
    const o = overrides.find((x) => x.name === d.name);
    return {
      containerArn: ctx.arns.container(cluster, taskId),
      name: d.name,
      image: d.image,
      lastStatus: 'PENDING',
      essential: d.essential ?? true,
      cpu: o?.cpu ?? d.cpu,
      memory: o?.memory ?? d.memory,
      memoryReservation: o?.memoryReservation ?? d.memoryReservation,
    };
  });
}
