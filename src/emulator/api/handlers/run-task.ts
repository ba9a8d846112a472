import { arnId } from '../../../shared/aws/arn.js';
import type { EmulatorContext } from '../../context.js';
import { instanceCapacity } from '../../scheduler/capacity.js';
import { taskDemand } from '../../scheduler/demand.js';
import { NO_INSTANCES, placeTasks } from '../../scheduler/placement.js';
import type { ContainerOverride, ContainerRecord, TaskDefinitionRecord, TaskRecord } from '../../store/records.js';
import { invalidParameter } from '../errors.js';
import { defineHandler } from '../handler.js';
import { resolveCluster, resolveTaskDefinition } from '../lookup.js';
import { isRecord } from '../validate.js';
import { taskView } from '../views.js';

interface RunTaskInput {
  cluster?: string;
  taskDefinition: string;
  count?: number;
  startedBy?: string;
  group?: string;
  overrides?: { containerOverrides?: ContainerOverride[] };
}

interface ContainerDefinitionLike {
  name: string;
  image: string;
  essential?: boolean;
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
}

/** Places `count` tasks (spread), reserves their resources and hands them to the instances' ACS sessions. */
export const runTask = defineHandler<RunTaskInput>({
  input: {
    cluster: { type: 'string' },
    taskDefinition: { type: 'string', required: true },
    count: { type: 'integer' },
    startedBy: { type: 'string' },
    group: { type: 'string' },
    launchType: { type: 'string', enum: ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] },
    overrides: { type: 'structure' },
    placementConstraints: { type: 'list', of: 'structure' },
    placementStrategy: { type: 'list', of: 'structure' },
    tags: { type: 'list', of: 'structure' },
  },
  handle(ctx, input) {
    const count = input.count ?? 1;
    if (count < 1 || count > 10) throw invalidParameter('count must be between 1 and 10.');
    if (input.startedBy !== undefined && input.startedBy.length > 128) {
      throw invalidParameter('startedBy must be at most 128 characters.');
    }
    const overrides = checkOverrides(input.overrides);
    const cluster = resolveCluster(ctx, input.cluster);
    const td = resolveTaskDefinition(ctx, input.taskDefinition);
    const demand = taskDemand(td.body, overrides);
    const capacities = ctx.store
      .listInstances(cluster.name)
      .map((i) => instanceCapacity(i, ctx.store.listTasksOnInstance(i.arn), ctx.delivery.isConnected(i.arn)));
    const placement = placeTasks({ count, demand }, capacities);
    // ECS answers an empty cluster with an error rather than failures[].
    if (placement.failures.some((f) => f.reason === NO_INSTANCES)) throw invalidParameter(NO_INSTANCES);

    const tasks = placement.assignments.map((instanceArn) => {
      const arn = ctx.arns.task(cluster.name);
      const task: TaskRecord = {
        arn,
        cluster: cluster.name,
        taskDefinitionArn: td.arn,
        containerInstanceArn: instanceArn,
        lastStatus: 'PROVISIONING',
        desiredStatus: 'RUNNING',
        containers: containersFor(ctx, cluster.name, arnId(arn), td, overrides),
        containerOverrides: overrides,
        reserved: demand,
        cpu: typeof td.body['cpu'] === 'string' ? td.body['cpu'] : undefined,
        memory: typeof td.body['memory'] === 'string' ? td.body['memory'] : undefined,
        startedBy: input.startedBy,
        group: input.group ?? `family:${td.family}`,
        version: 1,
        createdAt: ctx.now(),
      };
      ctx.store.putTask(task);
      return task;
    });
    for (const instanceArn of new Set(placement.assignments)) {
      ctx.delivery.deliver(instanceArn, tasks.filter((t) => t.containerInstanceArn === instanceArn).map((t) => t.arn));
    }
    const failures = placement.failures.map((f) => ({ arn: f.arn ?? cluster.arn, reason: f.reason }));
    return { tasks: tasks.map((t) => taskView(ctx, t)), failures };
  },
});

function checkOverrides(raw: RunTaskInput['overrides']): ContainerOverride[] {
  if (raw === undefined) return [];
  const list = raw.containerOverrides ?? [];
  if (!Array.isArray(list)) throw invalidParameter('overrides.containerOverrides must be a list.');
  return list.map((o, i) => {
    if (!isRecord(o)) throw invalidParameter(`overrides.containerOverrides[${i}] must be a structure.`);
    if (o.command !== undefined && !(Array.isArray(o.command) && o.command.every((c) => typeof c === 'string'))) {
      throw invalidParameter(`overrides.containerOverrides[${i}].command must be a list of strings.`);
    }
    if (o.environment !== undefined && !Array.isArray(o.environment)) {
      throw invalidParameter(`overrides.containerOverrides[${i}].environment must be a list.`);
    }
    return o;
  });
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
