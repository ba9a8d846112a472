import { requestStop } from '../../tasks/stop.js';
import { ecsOperation } from '../service.js';
import { resolveCluster, resolveTask } from '../lookup.js';
import { taskView } from '../views.js';

export const USER_STOP_REASON = 'Task stopped by user';

/** Idempotent: stopping a stopped (or stopping) task returns it unchanged. A service replaces its stopped task. */
ecsOperation('StopTask', {
  input: { cluster: { type: 'string' }, task: { type: 'string', required: true }, reason: { type: 'string' } },
  handle(ctx, input) {
    const cluster = resolveCluster(ctx, input.cluster);
    const task = resolveTask(ctx, cluster, input.task);
    const stopped = requestStop(ctx, task, input.reason || USER_STOP_REASON, 'UserInitiated');
    if (task.serviceName && stopped !== task) ctx.services.changed();
    return { task: taskView(ctx, stopped) };
  },
});
