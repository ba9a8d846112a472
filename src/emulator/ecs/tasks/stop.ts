import type { EmulatorContext } from '../context.js';
import type { TaskRecord } from '../records.js';

/**
 * Desired STOPPED goes to the agent. A task the agent never received, or whose instance is deregistered,
 * cannot be stopped by the agent, so it becomes STOPPED here at once (and releases its resources).
 * Call inside a transaction; returns the task as stored.
 */
export function requestStop(ctx: EmulatorContext, task: TaskRecord, reason: string, stopCode: string): TaskRecord {
  if (task.desiredStatus === 'STOPPED' || task.lastStatus === 'STOPPED') return task;
  const now = ctx.now();
  const instanceGone = ['INACTIVE', undefined].includes(ctx.store.getInstance(task.containerInstanceArn)?.status);
  const stopped: TaskRecord = {
    ...task,
    desiredStatus: 'STOPPED',
    stoppedReason: reason.slice(0, 255), // ECS keeps at most 255 characters
    stopCode,
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
  return stopped;
}
