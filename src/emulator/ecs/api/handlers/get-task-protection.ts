import { isArn } from '../../../../shared/aws/arn.js';
import type { EmulatorContext } from '../../context.js';
import { protectedTaskView } from '../../services/protection.js';
import type { ClusterRecord, TaskRecord } from '../../records.js';
import { invalidParameter } from '../../errors.js';
import { ecsOperation } from '../service.js';
import { findTask, resolveCluster } from '../lookup.js';

export interface ProtectionFailure {
  arn: string;
  reason: string;
  detail?: string;
}

/**
 * The tasks a Get/UpdateTaskProtection call names, each either found (a task a service started) or a failure:
 * MISSING when the cluster has no such task, TASK_NOT_VALID for a standalone task (ECS: protection is only
 * supported for tasks that belong to a service).
 */
export function protectionTargets(ctx: EmulatorContext, cluster: ClusterRecord, refs: readonly string[]): { tasks: TaskRecord[]; failures: ProtectionFailure[] } {
  if (refs.length === 0) throw invalidParameter('tasks can not be empty.');
  const tasks: TaskRecord[] = [];
  const failures: ProtectionFailure[] = [];
  for (const ref of refs) {
    const t = findTask(ctx, cluster, ref);
    const arn = t?.arn ?? (isArn(ref) ? ref : ctx.arns.task(cluster.name, ref));
    if (!t) failures.push({ arn, reason: 'MISSING' });
    else if (t.serviceName === undefined) failures.push({ arn, reason: 'TASK_NOT_VALID', detail: 'The task is not part of a service; task scale-in protection is only supported for service tasks.' });
    else tasks.push(t);
  }
  return { tasks, failures };
}

ecsOperation('GetTaskProtection', {
  input: { cluster: { type: 'string', required: true }, tasks: { type: 'list', of: 'string', max: 100 } },
  handle(ctx, input) {
    const cluster = resolveCluster(ctx, input.cluster);
    const { tasks, failures } = protectionTargets(ctx, cluster, input.tasks ?? []);
    const now = ctx.now();
    return { protectedTasks: tasks.map((t) => protectedTaskView(t, now)), failures };
  },
});
