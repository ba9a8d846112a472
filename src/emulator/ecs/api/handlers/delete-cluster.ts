import { EcsError } from '../../errors.js';
import { ecsOperation } from '../service.js';
import { resolveCluster } from '../lookup.js';
import { clusterView } from '../views.js';

/**
 * ECS's rules: a cluster with registered instances, active services or tasks that are not STOPPED cannot be
 * deleted. The deleted cluster stays describable as INACTIVE; CreateCluster with its name makes it ACTIVE again.
 */
ecsOperation('DeleteCluster', {
  input: { cluster: { type: 'string', required: true } },
  handle(ctx, input) {
    const cluster = resolveCluster(ctx, input.cluster);
    if (ctx.store.listInstances(cluster.name).some((i) => i.status !== 'INACTIVE')) {
      throw new EcsError('ClusterContainsContainerInstancesException', 'The Cluster cannot be deleted while Container Instances are active or draining.');
    }
    if (ctx.store.listServices(cluster.name).some((s) => s.status !== 'INACTIVE')) {
      throw new EcsError('ClusterContainsServicesException', 'The Cluster cannot be deleted while Services are active.');
    }
    if (ctx.store.listLiveTasks(cluster.name).length > 0) {
      throw new EcsError('ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.');
    }
    const deleted = { ...cluster, status: 'INACTIVE' as const };
    ctx.store.putCluster(deleted);
    return { cluster: clusterView(ctx, deleted) };
  },
});
