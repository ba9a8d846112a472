import { ecsOperation } from '../service.js';
import { resolveCluster } from '../lookup.js';
import { paginate } from '../paginate.js';

/** Every attribute of every container instance (agent-reported and custom), optionally by name and value. */
ecsOperation('ListAttributes', {
  input: {
    cluster: { type: 'string' },
    targetType: { type: 'string', required: true, enum: ['container-instance'] },
    attributeName: { type: 'string' },
    attributeValue: { type: 'string' },
    maxResults: { type: 'integer' },
    nextToken: { type: 'string' },
  },
  handle(ctx, input) {
    const cluster = resolveCluster(ctx, input.cluster);
    const all = ctx.store
      .listInstances(cluster.name)
      .filter((i) => i.status !== 'INACTIVE')
      .flatMap((i) => i.attributes.map((a) => ({ ...a, targetType: 'container-instance', targetId: i.arn })))
      .filter((a) => input.attributeName === undefined || a.name === input.attributeName)
      .filter((a) => input.attributeValue === undefined || a.value === input.attributeValue);
    const { page, nextToken } = paginate(all, input);
    return { attributes: page, nextToken };
  },
});
