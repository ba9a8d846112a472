import { defineHandler } from '../handler.js';
import { invalidParameter } from '../errors.js';
import { clusterView } from '../views.js';
import type { Tag } from '../../store/records.js';

interface CreateClusterInput {
  clusterName?: string;
  tags?: Tag[];
}

/** Idempotent like ECS: creating an existing cluster returns it. */
export const createCluster = defineHandler<CreateClusterInput>({
  input: { clusterName: { type: 'string' }, tags: { type: 'list', of: 'structure' } },
  handle(ctx, input) {
    const name = input.clusterName ?? 'default';
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(name)) {
      throw invalidParameter('Cluster name can only contain letters, numbers, hyphens and underscores.');
    }
    let cluster = ctx.store.getCluster(name);
    if (!cluster) {
      cluster = { name, arn: ctx.arns.cluster(name), createdAt: ctx.now(), tags: input.tags ?? [] };
      ctx.store.putCluster(cluster);
    }
    return { cluster: clusterView(ctx, cluster) };
  },
});
