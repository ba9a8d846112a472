import { ecsOperation } from '../service.js';
import { paginate } from '../paginate.js';

ecsOperation('ListClusters', {
  input: { nextToken: { type: 'string' }, maxResults: { type: 'integer' } },
  handle(ctx, input) {
    const arns = ctx.store.listClusters().filter((c) => c.status !== 'INACTIVE').map((c) => c.arn);
    const { page, nextToken } = paginate(arns, input);
    return { clusterArns: page, nextToken };
  },
});
