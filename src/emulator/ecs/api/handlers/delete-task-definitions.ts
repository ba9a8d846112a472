import { ecsOperation } from '../service.js';
import { findTaskDefinition } from '../lookup.js';
import { taskDefinitionView } from '../views.js';
import { requireRevision } from './deregister-task-definition.js';

/**
 * Only INACTIVE revisions can be deleted; they become DELETE_IN_PROGRESS (ECS removes them later once
 * nothing references them; the emulator keeps them in that state). Per-revision problems are failures.
 */
ecsOperation('DeleteTaskDefinitions', {
  input: { taskDefinitions: { type: 'list', required: true, of: 'string', max: 10 } },
  handle(ctx, input) {
    const taskDefinitions: Record<string, unknown>[] = [];
    const failures: { arn: string; reason: string; detail?: string }[] = [];
    for (const ref of input.taskDefinitions) {
      requireRevision(ref);
      const td = findTaskDefinition(ctx, ref);
      if (!td) {
        failures.push({ arn: ref, reason: 'TASK_DEFINITION_NOT_FOUND' });
        continue;
      }
      if (td.status === 'ACTIVE') {
        failures.push({ arn: td.arn, reason: 'The specified task definition is still in ACTIVE status. Please deregister the target and try again.' });
        continue;
      }
      const after = { ...td, status: 'DELETE_IN_PROGRESS' as const };
      ctx.store.putTaskDefinition(after);
      taskDefinitions.push(taskDefinitionView(after));
    }
    return { taskDefinitions, failures };
  },
});
