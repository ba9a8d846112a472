import { ecsOperation } from '../service.js';
import { resolveCluster } from '../lookup.js';
import { paginate } from '../paginate.js';

/** ACTIVE and DRAINING services (not INACTIVE), 10 per page by default, as ECS. */
ecsOperation('ListServices', {
  input: {
    cluster: { type: 'string' },
    nextToken: { type: 'string' },
    maxResults: { type: 'integer' },
    launchType: { type: 'string', enum: ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] },
    schedulingStrategy: { type: 'string', enum: ['REPLICA', 'DAEMON'] },
    resourceManagementType: { type: 'string' },
  },
  handle(ctx, input) {
    const cluster = resolveCluster(ctx, input.cluster);
    const arns = ctx.store
      .listServices(cluster.name)
      .filter((s) => s.status !== 'INACTIVE')
      .filter((s) => !input.schedulingStrategy || s.schedulingStrategy === input.schedulingStrategy)
      .filter(() => !input.launchType || input.launchType === 'EC2')
      .map((s) => s.arn);
    const { page, nextToken } = paginate(arns, input, 100, 10);
    return { serviceArns: page, nextToken };
  },
});
