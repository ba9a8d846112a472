import { ecsOperation } from '../service.js';
import { resolveCluster, resolveTask } from '../lookup.js';
import { applyTaskChange } from '../../tasks/state-change.js';
import { invalidParameter } from '../../errors.js';

/**
 * The agent's primary channel (spec §6.1). Duplicates, PENDING reports carrying container data and
 * attachment-only bodies (no status) are all accepted; statuses only ever move forward.
 */
ecsOperation('SubmitTaskStateChange', {
  input: {
    cluster: { type: 'string' },
    task: { type: 'string' },
    status: { type: 'string' },
    reason: { type: 'string' },
    containers: { type: 'list', of: 'structure' },
    attachments: { type: 'list', of: 'structure' },
    managedAgents: { type: 'list', of: 'structure' },
    pullStartedAt: { type: 'timestamp' },
    pullStoppedAt: { type: 'timestamp' },
    executionStoppedAt: { type: 'timestamp' },
  },
  handle(ctx, input) {
    if (!input.task) throw invalidParameter('Missing required parameter: task');
    const cluster = resolveCluster(ctx, input.cluster);
    const task = resolveTask(ctx, cluster, input.task);
    const changed = applyTaskChange(task, input, ctx.now());
    // awsvpc (§6.3): an attachments-only report ATTACHED releases the task's payload.
    const eni = ctx.vpc?.applyAttachmentChanges(changed, input.attachments);
    const updated = eni?.task ?? changed;
    ctx.store.putTask(updated);
    if (eni?.attached && updated.lastStatus !== 'STOPPED') ctx.delivery.deliver(updated.containerInstanceArn, [updated.arn]);
    if (updated.serviceName && updated.lastStatus !== task.lastStatus) ctx.services.changed();
    if (updated.lastStatus === 'STOPPED' && task.lastStatus !== 'STOPPED') {
      ctx.log.info({ taskArn: task.arn, stopCode: updated.stopCode }, 'task stopped');
    }
    return { acknowledgment: 'ACK' };
  },
});
