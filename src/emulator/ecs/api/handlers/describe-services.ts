import { ecsOperation } from '../service.js';
import { findService, resolveCluster } from '../lookup.js';
import { serviceView } from '../service-view.js';

ecsOperation('DescribeServices', {
  input: {
    cluster: { type: 'string' },
    services: { type: 'list', required: true, of: 'string', max: 10 },
    include: { type: 'list', of: 'string', enumOf: ['TAGS'] },
  },
  handle(ctx, input) {
    const cluster = resolveCluster(ctx, input.cluster);
    const live = ctx.store.listLiveTasks(cluster.name);
    const withTags = input.include?.includes('TAGS') ?? false;
    const services: Record<string, unknown>[] = [];
    const failures: { arn: string; reason: string }[] = [];
    for (const ref of input.services) {
      const svc = findService(ctx, cluster, ref);
      if (svc) services.push(serviceView(ctx, svc, live, withTags));
      else failures.push({ arn: ref.startsWith('arn:') ? ref : ctx.arns.service(cluster.name, ref), reason: 'MISSING' });
    }
    return { services, failures };
  },
});
