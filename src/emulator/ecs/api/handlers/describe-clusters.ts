import { clusterName } from '../../../../shared/aws/arn.js';
import { ecsOperation } from '../service.js';
import { clusterView } from '../views.js';

ecsOperation('DescribeClusters', {
  input: { clusters: { type: 'list', of: 'string' }, include: { type: 'list', of: 'string' } },
  handle(ctx, input) {
    const refs = input.clusters && input.clusters.length > 0 ? input.clusters : ['default'];
    const clusters: Record<string, unknown>[] = [];
    const failures: { arn: string; reason: string }[] = [];
    for (const ref of refs) {
      const c = ctx.store.getCluster(clusterName(ref));
      if (c) clusters.push(clusterView(ctx, c));
      else failures.push({ arn: ref.startsWith('arn:') ? ref : ctx.arns.cluster(ref), reason: 'MISSING' });
    }
    return { clusters, failures };
  },
});
