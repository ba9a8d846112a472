import { isArn } from '../../../../shared/aws/arn.js';
import { ecsOperation } from '../service.js';
import { findTask, resolveCluster } from '../lookup.js';
import { taskView } from '../views.js';

ecsOperation('DescribeTasks', {
  input: {
    cluster: { type: 'string' },
    tasks: { type: 'list', required: true, of: 'string' },
    include: { type: 'list', of: 'string', enumOf: ['TAGS'] },
  },
  handle(ctx, input) {
    const cluster = resolveCluster(ctx, input.cluster);
    const withTags = input.include?.includes('TAGS') ?? false;
    const tasks: Record<string, unknown>[] = [];
    const failures: { arn: string; reason: string }[] = [];
    for (const ref of input.tasks) {
      const t = findTask(ctx, cluster, ref);
      if (t) tasks.push(taskView(ctx, t, withTags));
      else failures.push({ arn: isArn(ref) ? ref : ctx.arns.task(cluster.name, ref), reason: 'MISSING' });
    }
    return { tasks, failures };
  },
});
