import { EcsError } from '../../errors.js';
import { ecsOperation } from '../service.js';
import { resolveCluster, resolveInstance } from '../lookup.js';
import { instanceView } from '../views.js';

/**
 * The instance becomes INACTIVE: no tasks, no listing, its ACS connection is refused from now on. With tasks
 * still running ECS refuses unless `force`. With force the tasks are orphaned: ECS no longer accounts for
 * them (their containers may keep running on the host), so here they are recorded STOPPED with a reason
 * that says so, release nothing that matters any more, and services replace theirs elsewhere.
 */
export const ORPHANED = 'Container instance deregistered; the task is no longer tracked (its containers may still run on the host)';

ecsOperation('DeregisterContainerInstance', {
  input: { cluster: { type: 'string' }, containerInstance: { type: 'string', required: true }, force: { type: 'boolean' } },
  handle(ctx, input) {
    const cluster = resolveCluster(ctx, input.cluster);
    const inst = resolveInstance(ctx, cluster, input.containerInstance);
    if (inst.status !== 'INACTIVE') {
      const live = ctx.store.listTasksOnInstance(inst.arn).filter((t) => t.lastStatus !== 'STOPPED');
      if (live.length > 0 && !input.force) {
        throw new EcsError('InvalidParameterException', 'Found running tasks on the instance. Use force to deregister it.');
      }
      ctx.store.putInstance({ ...inst, status: 'INACTIVE' });
      const now = ctx.now();
      for (const t of live) {
        ctx.store.putTask({
          ...t,
          desiredStatus: 'STOPPED',
          lastStatus: 'STOPPED',
          stoppingAt: t.stoppingAt ?? now,
          stoppedAt: now,
          stoppedReason: t.stoppedReason ?? ORPHANED,
          containers: t.containers.map((c) => ({ ...c, lastStatus: 'STOPPED' as const })),
          version: t.version + 1,
        });
      }
      ctx.store.dropPendingMessages(inst.arn);
      ctx.services.changed();
    }
    const after = ctx.store.getInstance(inst.arn)!;
    return { containerInstance: instanceView(ctx, after) };
  },
});
