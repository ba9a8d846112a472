import { ecsOperation } from '../service.js';
import { invalidParameter } from '../../errors.js';
import { clusterView } from '../views.js';
import { checkTags } from '../tags.js';
import { checkSettings } from './update-cluster-settings.js';
import { checkClusterProviders, checkStrategy } from '../capacity-providers.js';

/** Idempotent like ECS: creating an existing cluster returns it; a deleted (INACTIVE) one is created anew. */
ecsOperation('CreateCluster', {
  notEmulated: ['serviceConnectDefaults'],
  input: {
    clusterName: { type: 'string' },
    tags: { type: 'list', of: 'structure' },
    settings: { type: 'list', of: 'structure' },
    configuration: { type: 'structure' },
    capacityProviders: { type: 'list', of: 'string' },
    defaultCapacityProviderStrategy: { type: 'list', of: 'structure' },
  },
  handle(ctx, input) {
    const name = input.clusterName ?? 'default';
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(name)) {
      throw invalidParameter('Cluster name can only contain letters, numbers, hyphens and underscores.');
    }
    const tags = checkTags(input.tags);
    const settings = input.settings ? checkSettings(input.settings, undefined) : undefined;
    const capacityProviders = checkClusterProviders(ctx, input.capacityProviders);
    const strategy = checkStrategy(ctx, input.defaultCapacityProviderStrategy, capacityProviders, 'defaultCapacityProviderStrategy');
    let cluster = ctx.store.getCluster(name);
    if (!cluster || cluster.status === 'INACTIVE') {
      cluster = {
        name, arn: ctx.arns.cluster(name), createdAt: ctx.now(), tags, status: 'ACTIVE', settings,
        ...(capacityProviders.length ? { capacityProviders } : {}),
        ...(strategy.length ? { defaultCapacityProviderStrategy: strategy } : {}),
      };
      ctx.store.putCluster(cluster);
    }
    return { cluster: clusterView(ctx, cluster) };
  },
});
