import { arnId, clusterName, isArn, parseArn } from '../../../shared/aws/arn.js';
import type { EmulatorContext } from '../context.js';
import type { ClusterRecord, ContainerInstanceRecord, ServiceRecord, TaskDefinitionRecord, TaskRecord } from '../records.js';
import { clusterNotFound, invalidParameter, serviceNotFound, taskDefinitionNotFound } from '../errors.js';

/** Name or ARN -> cluster; omitted means `default`, as in ECS. A deleted (INACTIVE) cluster is not found. */
export function resolveCluster(ctx: EmulatorContext, ref: string | undefined): ClusterRecord {
  const c = ctx.store.getCluster(clusterName(ref ?? 'default'));
  if (!c || c.status === 'INACTIVE') throw clusterNotFound();
  return c;
}

/** A service name or ARN in a cluster (INACTIVE ones included; callers decide). */
export function findService(ctx: EmulatorContext, cluster: ClusterRecord, ref: string): ServiceRecord | undefined {
  let name = ref;
  if (isArn(ref)) {
    const parts = parseArn(ref);
    if (!parts || parts.resourceType !== 'service') return undefined;
    name = parts.resource.split('/').pop() ?? '';
  }
  const svc = ctx.store.getService(ctx.arns.service(cluster.name, name));
  return svc && svc.cluster === cluster.name ? svc : undefined;
}

export function resolveService(ctx: EmulatorContext, cluster: ClusterRecord, ref: string): ServiceRecord {
  const svc = findService(ctx, cluster, ref);
  if (!svc) throw serviceNotFound();
  return svc;
}

/** `family`, `family:revision` or a task definition ARN; a bare family means its latest ACTIVE revision. */
export function findTaskDefinition(ctx: EmulatorContext, ref: string): TaskDefinitionRecord | undefined {
  let spec = ref;
  if (isArn(ref)) {
    const parts = parseArn(ref);
    if (!parts || parts.resourceType !== 'task-definition') return undefined;
    spec = parts.resource;
  }
  const m = /^([A-Za-z0-9_-]+)(?::(\d+))?$/.exec(spec);
  if (!m) return undefined;
  const family = m[1]!;
  return m[2] === undefined
    ? ctx.store.latestActiveTaskDefinition(family)
    : ctx.store.getTaskDefinition(family, Number(m[2]));
}

export function resolveTaskDefinition(ctx: EmulatorContext, ref: string): TaskDefinitionRecord {
  const td = findTaskDefinition(ctx, ref);
  if (!td) throw taskDefinitionNotFound();
  return td;
}

/** A container instance ARN or ID in a cluster. */
export function findInstance(ctx: EmulatorContext, cluster: ClusterRecord, ref: string): ContainerInstanceRecord | undefined {
  const arn = isArn(ref) ? ref : ctx.arns.containerInstance(cluster.name, ref);
  const inst = ctx.store.getInstance(arn);
  return inst && inst.cluster === cluster.name ? inst : undefined;
}

export function resolveInstance(ctx: EmulatorContext, cluster: ClusterRecord, ref: string): ContainerInstanceRecord {
  const inst = findInstance(ctx, cluster, ref);
  if (!inst) throw invalidParameter(`Container instance ${arnId(ref)} not found in cluster ${cluster.name}.`);
  return inst;
}

/** A task ARN or ID in a cluster. */
export function findTask(ctx: EmulatorContext, cluster: ClusterRecord, ref: string): TaskRecord | undefined {
  const arn = isArn(ref) ? ref : ctx.arns.task(cluster.name, ref);
  const task = ctx.store.getTask(arn);
  return task && task.cluster === cluster.name ? task : undefined;
}

export function resolveTask(ctx: EmulatorContext, cluster: ClusterRecord, ref: string): TaskRecord {
  const task = findTask(ctx, cluster, ref);
  if (!task) throw invalidParameter('The referenced task was not found.');
  return task;
}
