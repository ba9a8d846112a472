import { defineHandler } from '../handler.js';
import { resolveTaskDefinition } from '../lookup.js';
import { taskDefinitionView } from '../views.js';

export const describeTaskDefinition = defineHandler<{ taskDefinition: string }>({
  input: { taskDefinition: { type: 'string', required: true }, include: { type: 'list', of: 'string' } },
  handle(ctx, input) {
    return { taskDefinition: taskDefinitionView(resolveTaskDefinition(ctx, input.taskDefinition)), tags: [] };
  },
});
