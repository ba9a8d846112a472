import type { Attribute } from '../../records.js';
import { ecsOperation } from '../service.js';
import { resolveCluster } from '../lookup.js';
import { checkAttributeTargets } from '../attributes.js';

/** Adds or overwrites custom attributes on container instances (the only target type ECS has). */
ecsOperation('PutAttributes', {
  input: { cluster: { type: 'string' }, attributes: { type: 'list', required: true, of: 'structure' } },
  handle(ctx, input) {
    const cluster = resolveCluster(ctx, input.cluster);
    const targets = checkAttributeTargets(ctx, cluster, input.attributes, true);
    for (const { instance, attribute } of targets) {
      const current = ctx.store.getInstance(instance.arn)!;
      const attributes: Attribute[] = current.attributes.filter((a) => a.name !== attribute.name);
      attributes.push(attribute.value === undefined ? { name: attribute.name } : { name: attribute.name, value: attribute.value });
      ctx.store.putInstance({ ...current, attributes });
    }
    ctx.services.changed();
    return { attributes: targets.map((t) => ({ ...t.attribute, targetType: 'container-instance', targetId: t.instance.arn })) };
  },
});
