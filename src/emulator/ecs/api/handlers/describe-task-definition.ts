import { ecsOperation } from '../service.js';
import { resolveTaskDefinition } from '../lookup.js';
import { taskDefinitionView } from '../views.js';

ecsOperation('DescribeTaskDefinition', {
  input: { taskDefinition: { type: 'string', required: true }, include: { type: 'list', of: 'string', enumOf: ['TAGS'] } },
  handle(ctx, input) {
    const td = resolveTaskDefinition(ctx, input.taskDefinition);
    return { taskDefinition: taskDefinitionView(td), tags: input.include?.includes('TAGS') ? (td.tags ?? []) : [] };
  },
});
