import { invalidParameter } from '../../errors.js';
import { ecsOperation } from '../service.js';
import { resolveCluster, resolveService } from '../lookup.js';
import { serviceView } from '../service-view.js';

/**
 * DRAINING now (the controller stops its tasks), INACTIVE once they are STOPPED. A REPLICA service must be
 * scaled to 0 first unless `force`, as in ECS. Deleting a service that is already deleting returns it as is.
 */
ecsOperation('DeleteService', {
  input: { cluster: { type: 'string' }, service: { type: 'string', required: true }, force: { type: 'boolean' } },
  handle(ctx, input) {
    const cluster = resolveCluster(ctx, input.cluster);
    const svc = resolveService(ctx, cluster, input.service);
    if (svc.status !== 'ACTIVE') return { service: serviceView(ctx, svc, ctx.store.listLiveTasks(cluster.name)) };
    if (svc.schedulingStrategy === 'REPLICA' && svc.desiredCount > 0 && !input.force) {
      throw invalidParameter('The service cannot be stopped while it is scaled above 0.');
    }
    const draining = { ...svc, status: 'DRAINING' as const, desiredCount: 0, steady: false };
    ctx.store.putService(draining);
    ctx.services.changed();
    return { service: serviceView(ctx, draining, ctx.store.listLiveTasks(cluster.name)) };
  },
});
