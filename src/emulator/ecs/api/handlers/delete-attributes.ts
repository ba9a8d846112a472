import { ecsOperation } from '../service.js';
import { resolveCluster } from '../lookup.js';
import { checkAttributeTargets } from '../attributes.js';

ecsOperation('DeleteAttributes', {
  input: { cluster: { type: 'string' }, attributes: { type: 'list', required: true, of: 'structure' } },
  handle(ctx, input) {
    const cluster = resolveCluster(ctx, input.cluster);
    const targets = checkAttributeTargets(ctx, cluster, input.attributes, false);
    for (const { instance, attribute } of targets) {
      const current = ctx.store.getInstance(instance.arn)!;
      ctx.store.putInstance({ ...current, attributes: current.attributes.filter((a) => a.name !== attribute.name) });
    }
    return { attributes: targets.map((t) => ({ ...t.attribute, targetType: 'container-instance', targetId: t.instance.arn })) };
  },
});
