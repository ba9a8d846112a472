import { ecsOperation } from '../service.js';
import { resolveCluster, resolveTask } from '../lookup.js';
import { applyTaskChange } from '../../tasks/state-change.js';
import { invalidParameter } from '../../errors.js';

/** Unused by agent v1.72 (it batches into task changes) but part of the API: updates one container. */
ecsOperation('SubmitContainerStateChange', {
  input: {
    cluster: { type: 'string' },
    task: { type: 'string' },
    containerName: { type: 'string' },
    runtimeId: { type: 'string' },
    status: { type: 'string' },
    exitCode: { type: 'integer' },
    reason: { type: 'string' },
    networkBindings: { type: 'list', of: 'structure' },
  },
  handle(ctx, input) {
    if (!input.task) throw invalidParameter('Missing required parameter: task');
    if (!input.containerName) throw invalidParameter('Missing required parameter: containerName');
    const cluster = resolveCluster(ctx, input.cluster);
    const task = resolveTask(ctx, cluster, input.task);
    const { cluster: _c, task: _t, ...container } = input;
    ctx.store.putTask(applyTaskChange(task, { containers: [container] }, ctx.now()));
    return { acknowledgment: 'ACK' };
  },
});
