import { defineHandler } from '../handler.js';
import { resolveTaskDefinition } from '../lookup.js';
import { taskDefinitionView } from '../views.js';

export const describeTaskDefinition = defineHandler<{ taskDefinition: string; include?: string[] }>({
  input: { taskDefinition: { type: 'string', required: true }, include: { type: 'list', of: 'string', enumOf: ['TAGS'] } },
  handle(ctx, input) {
    const td = resolveTaskDefinition(ctx, input.taskDefinition);
    return { taskDefinition: taskDefinitionView(td), tags: input.include?.includes('TAGS') ? (td.tags ?? []) : [] };
  },
});
