import { invalidParameter } from '../../errors.js';
import { ecsOperation } from '../service.js';
import { resolveCluster } from '../lookup.js';
import { clusterView } from '../views.js';
import { checkSettings } from './update-cluster-settings.js';

/** settings and configuration (stored and echoed; execute-command logging is not emulated). */
ecsOperation('UpdateCluster', {
  input: {
    cluster: { type: 'string', required: true },
    settings: { type: 'list', of: 'structure' },
    configuration: { type: 'structure' },
    serviceConnectDefaults: { type: 'structure' },
  },
  handle(ctx, input) {
    if (input.serviceConnectDefaults !== undefined) throw invalidParameter('Service Connect is not supported by this emulator.');
    const cluster = resolveCluster(ctx, input.cluster);
    const updated = {
      ...cluster,
      settings: input.settings ? checkSettings(input.settings, cluster.settings) : cluster.settings,
      configuration: input.configuration ? { ...input.configuration } : cluster.configuration,
    };
    ctx.store.putCluster(updated);
    return { cluster: clusterView(ctx, updated) };
  },
});
