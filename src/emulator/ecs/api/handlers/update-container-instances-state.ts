import { invalidParameter } from '../../errors.js';
import { ecsOperation } from '../service.js';
import { findInstance, resolveCluster } from '../lookup.js';
import { instanceView } from '../views.js';

/**
 * DRAINING: no new tasks are placed on the instance and the service controller replaces its service tasks
 * elsewhere (within the services' deployment limits); standalone tasks keep running, as in ECS. ACTIVE undoes it.
 */
ecsOperation('UpdateContainerInstancesState', {
  input: {
    cluster: { type: 'string' },
    containerInstances: { type: 'list', required: true, of: 'string', max: 10 },
    status: { type: 'string', required: true, enum: ['ACTIVE', 'DRAINING', 'REGISTERING', 'DEREGISTERING', 'REGISTRATION_FAILED'] },
  },
  handle(ctx, input) {
    if (input.status !== 'ACTIVE' && input.status !== 'DRAINING') {
      throw invalidParameter(`Container instance status can only be changed to ACTIVE or DRAINING, not ${input.status}.`);
    }
    const cluster = resolveCluster(ctx, input.cluster);
    const containerInstances: Record<string, unknown>[] = [];
    const failures: { arn: string; reason: string }[] = [];
    for (const ref of input.containerInstances) {
      const inst = findInstance(ctx, cluster, ref);
      if (!inst || inst.status === 'INACTIVE') {
        failures.push({ arn: ref, reason: 'MISSING' });
        continue;
      }
      const updated = { ...inst, status: input.status };
      ctx.store.putInstance(updated);
      containerInstances.push(instanceView(ctx, updated));
    }
    ctx.services.changed();
    return { containerInstances, failures };
  },
});
