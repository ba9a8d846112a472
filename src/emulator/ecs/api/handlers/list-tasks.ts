import { ecsOperation } from '../service.js';
import { resolveCluster, resolveInstance } from '../lookup.js';
import { paginate } from '../paginate.js';

/**
 * Filters combine; desiredStatus defaults to RUNNING as in ECS (PENDING lists none: ECS tasks are never
 * desired PENDING). Every task here is an EC2 task, so launchType EC2 keeps all and any other keeps none.
 */
ecsOperation('ListTasks', {
  notEmulated: ['daemonName'],
  input: {
    cluster: { type: 'string' },
    containerInstance: { type: 'string' },
    family: { type: 'string' },
    nextToken: { type: 'string' },
    maxResults: { type: 'integer' },
    startedBy: { type: 'string' },
    serviceName: { type: 'string' },
    desiredStatus: { type: 'string', enum: ['RUNNING', 'PENDING', 'STOPPED'] },
    launchType: { type: 'string', enum: ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] },
  },
  handle(ctx, input) {
    const cluster = resolveCluster(ctx, input.cluster);
    const instanceArn = input.containerInstance ? resolveInstance(ctx, cluster, input.containerInstance).arn : undefined;
    const desired = input.desiredStatus ?? 'RUNNING';
    const familyPrefix = input.family ? `:task-definition/${input.family}:` : undefined;
    const serviceName = input.serviceName?.split('/').pop();
    const source = desired === 'STOPPED' ? ctx.store.listTasks(cluster.name) : ctx.store.listLiveTasks(cluster.name);
    const taskArns = source
      .filter((t) => t.desiredStatus === desired)
      .filter((t) => !instanceArn || t.containerInstanceArn === instanceArn)
      .filter((t) => !familyPrefix || t.taskDefinitionArn.includes(familyPrefix))
      .filter((t) => !input.startedBy || t.startedBy === input.startedBy)
      .filter((t) => !serviceName || t.serviceName === serviceName)
      .filter(() => !input.launchType || input.launchType === 'EC2')
      .map((t) => t.arn);
    const { page, nextToken } = paginate(taskArns, input);
    return { taskArns: page, nextToken };
  },
});
