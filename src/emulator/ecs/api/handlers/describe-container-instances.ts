import { ecsOperation } from '../service.js';
import { findInstance, resolveCluster } from '../lookup.js';
import { instanceView } from '../views.js';

ecsOperation('DescribeContainerInstances', {
  input: {
    cluster: { type: 'string' },
    containerInstances: { type: 'list', required: true, of: 'string' },
    include: { type: 'list', of: 'string' },
  },
  handle(ctx, input) {
    const cluster = resolveCluster(ctx, input.cluster);
    const containerInstances: Record<string, unknown>[] = [];
    const failures: { arn: string; reason: string }[] = [];
    for (const ref of input.containerInstances) {
      const inst = findInstance(ctx, cluster, ref);
      if (inst) containerInstances.push(instanceView(ctx, inst));
      else failures.push({ arn: ref, reason: 'MISSING' });
    }
    return { containerInstances, failures };
  },
});
