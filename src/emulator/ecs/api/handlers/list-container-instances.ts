import { evaluate } from '../../scheduler/query/evaluate.js';
import { clusterCapacities } from '../../tasks/launch.js';
import { ecsOperation } from '../service.js';
import { resolveCluster } from '../lookup.js';
import { paginate } from '../paginate.js';
import { parseQuery } from '../../scheduler/placement-input.js';

const STATUSES = ['ACTIVE', 'DRAINING', 'REGISTERING', 'DEREGISTERING', 'REGISTRATION_FAILED'] as const;

/** `filter` is a cluster query language expression, evaluated as placement's memberOf evaluates it. */
ecsOperation('ListContainerInstances', {
  input: {
    cluster: { type: 'string' },
    filter: { type: 'string' },
    nextToken: { type: 'string' },
    maxResults: { type: 'integer' },
    status: { type: 'string', enum: STATUSES },
  },
  handle(ctx, input) {
    const cluster = resolveCluster(ctx, input.cluster);
    const expr = input.filter ? parseQuery(input.filter) : undefined;
    const statuses = new Map(ctx.store.listInstances(cluster.name).map((i) => [i.arn, i.status]));
    const arns = clusterCapacities(ctx, cluster.name)
      .filter((c) => (input.status ? statuses.get(c.arn) === input.status : true))
      .filter((c) =>
        expr
          ? evaluate(expr, {
              ec2InstanceId: c.ec2InstanceId ?? '',
              registeredAt: c.registeredAt ?? 0,
              runningTasksCount: c.runningTasksCount ?? 0,
              agentConnected: c.connected,
              agentVersion: c.agentVersion,
              dockerVersion: c.dockerVersion,
              attributes: c.attributes ?? new Map(),
              taskGroups: c.taskGroups ?? new Map(),
            })
          : true,
      )
      .map((c) => c.arn);
    const { page, nextToken } = paginate(arns, input);
    return { containerInstanceArns: page, nextToken };
  },
});
