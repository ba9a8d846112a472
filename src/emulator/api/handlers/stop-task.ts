import { defineHandler } from '../handler.js';
import { resolveCluster, resolveTask } from '../lookup.js';
import { taskView } from '../views.js';

interface StopTaskInput {
  cluster?: string;
  task: string;
  reason?: string;
}

export const USER_STOP_REASON = 'Task stopped by user';

/**
 * Desired STOPPED goes to the agent. A task the agent never received, or whose instance is gone, cannot be
 * stopped by the agent, so it becomes STOPPED here at once (and releases its resources).
 */
export const stopTask = defineHandler<StopTaskInput>({
  input: { cluster: { type: 'string' }, task: { type: 'string', required: true }, reason: { type: 'string' } },
  handle(ctx, input) {
    const cluster = resolveCluster(ctx, input.cluster);
    const task = resolveTask(ctx, cluster, input.task);
    if (task.desiredStatus === 'STOPPED' || task.lastStatus === 'STOPPED') return { task: taskView(ctx, task) };
    const now = ctx.now();
    const instanceGone = ctx.store.getInstance(task.containerInstanceArn)?.status !== 'ACTIVE';
    const stopped = {
      ...task,
      desiredStatus: 'STOPPED' as const,
      stoppedReason: input.reason || USER_STOP_REASON,
      stopCode: 'UserInitiated',
      stoppingAt: now,
      version: task.version + 1,
    };
    if (task.lastStatus === 'PROVISIONING' || instanceGone) {
      stopped.lastStatus = 'STOPPED';
      stopped.stoppedAt = now;
      stopped.containers = task.containers.map((c) => ({ ...c, lastStatus: 'STOPPED' as const }));
    }
    ctx.store.putTask(stopped);
    if (stopped.lastStatus !== 'STOPPED') ctx.delivery.deliver(task.containerInstanceArn, [task.arn]);
    return { task: taskView(ctx, stopped) };
  },
});
