import { defineHandler } from '../handler.js';
import { resolveCluster, resolveInstance } from '../lookup.js';

interface ListTasksInput {
  cluster?: string;
  containerInstance?: string;
  family?: string;
  startedBy?: string;
  desiredStatus?: 'RUNNING' | 'PENDING' | 'STOPPED';
}

/** Filters combine; desiredStatus defaults to RUNNING as in ECS. */
export const listTasks = defineHandler<ListTasksInput>({
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
    const taskArns = ctx.store
      .listTasks(cluster.name)
      .filter((t) => t.desiredStatus === desired)
      .filter((t) => !instanceArn || t.containerInstanceArn === instanceArn)
      .filter((t) => !familyPrefix || t.taskDefinitionArn.includes(familyPrefix))
      .filter((t) => !input.startedBy || t.startedBy === input.startedBy)
      .map((t) => t.arn);
    return { taskArns };
  },
});
