import { EcsError } from '../errors.js';
import { defineHandler } from '../handler.js';
import { resolveCluster, resolveInstance } from '../lookup.js';
import { instanceView } from '../views.js';

interface DeregisterContainerInstanceInput {
  cluster?: string;
  containerInstance: string;
  force?: boolean;
}

/**
 * The instance becomes INACTIVE: no tasks, no listing, its ACS connection is refused from now on. With tasks
 * still running ECS refuses unless `force`; with force the tasks are orphaned (ECS does not stop them) and
 * the service controller replaces service tasks elsewhere.
 */
export const deregisterContainerInstance = defineHandler<DeregisterContainerInstanceInput>({
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
      ctx.store.dropPendingMessages(inst.arn);
      ctx.services.changed();
    }
    const after = ctx.store.getInstance(inst.arn)!;
    return { containerInstance: instanceView(ctx, after) };
  },
});
