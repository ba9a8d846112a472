import { clientError, invalidParameter } from '../../errors.js';
import { refuseExecuteCommand } from '../launch-target.js';
import { ecsOperation } from '../service.js';
import { resolveCluster, resolveInstance, resolveTaskDefinition } from '../lookup.js';
import { checkOverrides } from '../overrides.js';
import { taskDefinitionConstraints } from '../../scheduler/placement-input.js';
import { checkTags, mergeTags } from '../tags.js';
import { taskView } from '../views.js';
import { launchTasks } from '../../tasks/launch.js';
import { checkStartedBy } from './run-task.js';

/**
 * One task on each named instance (at most 10). No placement strategy, but an instance still has to fit the
 * task: a full or disconnected instance is a failure for that instance, not an error for the call.
 */
ecsOperation('StartTask', {
  notEmulated: ['networkConfiguration', 'volumeConfigurations'],
  input: {
    cluster: { type: 'string' },
    taskDefinition: { type: 'string', required: true },
    containerInstances: { type: 'list', required: true, of: 'string' },
    startedBy: { type: 'string' },
    group: { type: 'string' },
    overrides: { type: 'structure' },
    tags: { type: 'list', of: 'structure' },
    propagateTags: { type: 'string', enum: ['TASK_DEFINITION', 'SERVICE', 'NONE'] },
    enableECSManagedTags: { type: 'boolean' },
    enableExecuteCommand: { type: 'boolean' },
    referenceId: { type: 'string' },
  },
  handle(ctx, input) {
    refuseExecuteCommand(input.enableExecuteCommand);
    if (input.containerInstances.length < 1 || input.containerInstances.length > 10) {
      throw invalidParameter('containerInstances must contain between 1 and 10 instances.');
    }
    checkStartedBy(input.startedBy);
    const cluster = resolveCluster(ctx, input.cluster);
    const td = resolveTaskDefinition(ctx, input.taskDefinition);
    if (td.status !== 'ACTIVE') throw clientError('TaskDefinition is inactive');
    const overrides = checkOverrides(input.overrides, td);
    const tags = checkTags(input.tags);
    const instances = input.containerInstances.map((ref) => resolveInstance(ctx, cluster, ref));
    const tasks = [];
    const failures = [];
    for (const inst of instances) {
      if (inst.status !== 'ACTIVE') {
        failures.push({ arn: inst.arn, reason: inst.status === 'DRAINING' ? 'DRAINING' : 'INACTIVE' });
        continue;
      }
      const r = launchTasks(ctx, {
        cluster,
        td,
        count: 1,
        ...overrides,
        startedBy: input.startedBy,
        group: input.group ?? `family:${td.family}`,
        tags: input.propagateTags === 'TASK_DEFINITION' ? mergeTags(td.tags ?? [], tags) : tags,
        constraints: taskDefinitionConstraints(td.body),
        onlyInstances: [inst.arn],
      });
      tasks.push(...r.tasks);
      failures.push(...r.failures.map((f) => ({ arn: f.arn ?? inst.arn, reason: f.reason })));
    }
    return { tasks: tasks.map((t) => taskView(ctx, t, true)), failures };
  },
});
