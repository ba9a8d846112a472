import { launchTasks } from '../../tasks/launch.js';
import { NO_INSTANCES } from '../../scheduler/placement.js';
import { clientError, invalidParameter } from '../../errors.js';
import { ecsOperation } from '../service.js';
import { resolveCluster, resolveTaskDefinition } from '../lookup.js';
import { parseConstraints, parseStrategies, taskDefinitionConstraints } from '../../scheduler/placement-input.js';
import { checkOverrides } from '../overrides.js';
import { checkTags, mergeTags } from '../tags.js';
import { taskView } from '../views.js';
import { checkAwsvpcInput } from '../awsvpc-input.js';
import { checkLaunchTarget, checkPlatformVersion, refuseExecuteCommand } from '../launch-target.js';

export const RUN_TASK_INPUT = {
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
  propagateTags: { type: 'string', enum: ['TASK_DEFINITION', 'SERVICE', 'NONE'] },
  enableECSManagedTags: { type: 'boolean' },
  networkConfiguration: { type: 'structure' },
  capacityProviderStrategy: { type: 'list', of: 'structure' },
  platformVersion: { type: 'string' },
  enableExecuteCommand: { type: 'boolean' },
  clientToken: { type: 'string' },
} as const;

/** Places `count` tasks, reserves their resources and hands them to the instances' ACS sessions. */
ecsOperation('RunTask', {
  notEmulated: ['referenceId', 'volumeConfigurations'],
  input: RUN_TASK_INPUT,
  handle(ctx, input) {
    const count = input.count ?? 1;
    if (count < 1 || count > 10) throw invalidParameter('count must be between 1 and 10.');
    checkStartedBy(input.startedBy);
    if (input.propagateTags === 'SERVICE') throw invalidParameter('propagateTags SERVICE is only valid for tasks a service starts.');
    const cluster = resolveCluster(ctx, input.cluster);
    const td = resolveTaskDefinition(ctx, input.taskDefinition);
    if (td.status !== 'ACTIVE') throw clientError('TaskDefinition is inactive');
    const overrides = checkOverrides(input.overrides, td);
    const tags = checkTags(input.tags);
    checkLaunchTarget(ctx, cluster, td.body, input.launchType, input.capacityProviderStrategy);
    checkPlatformVersion(input.platformVersion, input.launchType);
    refuseExecuteCommand(input.enableExecuteCommand);
    checkAwsvpcInput(ctx, td.body['networkMode'], input.networkConfiguration);
    const constraints = [...parseConstraints(input.placementConstraints), ...taskDefinitionConstraints(td.body)];
    const strategies = parseStrategies(input.placementStrategy);
    // A retry with the same clientToken (the SDKs and the aws CLI send one) gets the tasks the first call started.
    if (input.clientToken !== undefined) {
      const earlier = ctx.store.listLiveTasks(cluster.name).filter((t) => t.clientToken === input.clientToken);
      if (earlier.length > 0) return { tasks: earlier.map((t) => taskView(ctx, t, true)), failures: [] };
    }
    const result = launchTasks(ctx, {
      cluster,
      td,
      count,
      ...overrides,
      startedBy: input.startedBy,
      clientToken: input.clientToken,
      group: input.group ?? `family:${td.family}`,
      tags: input.propagateTags === 'TASK_DEFINITION' ? mergeTags(td.tags ?? [], tags) : tags,
      constraints,
      strategies,
    });
    // ECS answers an empty cluster with an error rather than failures[].
    if (result.failures.some((f) => f.reason === NO_INSTANCES)) throw invalidParameter(NO_INSTANCES);
    const failures = result.failures.map((f) => ({ arn: f.arn ?? cluster.arn, reason: f.reason }));
    return { tasks: result.tasks.map((t) => taskView(ctx, t, true)), failures };
  },
});

export function checkStartedBy(startedBy: string | undefined): void {
  if (startedBy !== undefined && startedBy.length > 128) throw invalidParameter('startedBy must be at most 128 characters.');
}
