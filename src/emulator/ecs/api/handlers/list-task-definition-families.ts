import { ecsOperation } from '../service.js';
import { paginate } from '../paginate.js';

/**
 * A family is ACTIVE while it has an ACTIVE revision and INACTIVE when all its revisions are INACTIVE (as ECS
 * defines it); ALL lists both. Families come sorted by name.
 */
ecsOperation('ListTaskDefinitionFamilies', {
  input: {
    familyPrefix: { type: 'string' },
    status: { type: 'string', enum: ['ACTIVE', 'INACTIVE', 'ALL'] },
    maxResults: { type: 'integer' },
    nextToken: { type: 'string' },
  },
  handle(ctx, input) {
    const status = input.status ?? 'ACTIVE';
    const active = new Map<string, boolean>();
    for (const td of ctx.store.listTaskDefinitions()) {
      if (td.status === 'DELETE_IN_PROGRESS') continue;
      active.set(td.family, (active.get(td.family) ?? false) || td.status === 'ACTIVE');
    }
    const families = [...active]
      .filter(([f, isActive]) => (!input.familyPrefix || f.startsWith(input.familyPrefix)) && (status === 'ALL' || isActive === (status === 'ACTIVE')))
      .map(([f]) => f)
      .sort();
    const { page, nextToken } = paginate(families, input);
    return { families: page, nextToken };
  },
});
