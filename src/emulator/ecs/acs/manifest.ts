/**
 * The control plane's side of reconciliation (spec §4.2): a periodic TaskManifestMessage listing every task on
 * the instance that is not STOPPED yet, with a timeline above every seqNum sent before (it takes the next
 * seqNum), and the answer to the agent's TaskStopVerificationMessage: the candidates that really should stop
 * (desired STOPPED, already STOPPED, or unknown here).
 */
import { randomUUID } from 'node:crypto';
import type { TaskManifestMessage, TaskStopVerificationAck, TaskStopVerificationMessage } from '../../../shared/protocol/acs.js';
import type { Arns } from '../arns.js';
import type { EcsStore } from '../store.js';

export function buildTaskManifest(opts: { store: EcsStore; arns: Arns; instanceArn: string; nowMs: number }): TaskManifestMessage | undefined {
  const { store, arns, instanceArn } = opts;
  return store.transaction(() => {
    const instance = store.getInstance(instanceArn);
    if (!instance) return undefined;
    const tasks = store.listTasksOnInstance(instanceArn).filter((t) => t.lastStatus !== 'STOPPED');
    return {
      messageId: randomUUID(),
      clusterArn: arns.cluster(instance.cluster),
      containerInstanceArn: instanceArn,
      generatedAt: Math.floor(opts.nowMs / 1000),
      timeline: store.nextSeqNum(instanceArn),
      tasks: tasks.map((t) => ({ taskArn: t.arn, taskClusterArn: arns.cluster(t.cluster), desiredStatus: t.desiredStatus })),
    };
  });
}

export function answerStopVerification(store: EcsStore, msg: TaskStopVerificationMessage, nowMs: number): TaskStopVerificationAck {
  const stopTasks = (msg.stopCandidates ?? []).filter((c) => {
    if (!c.taskArn) return false;
    const t = store.getTask(c.taskArn);
    return t === undefined || t.desiredStatus === 'STOPPED' || t.lastStatus === 'STOPPED';
  });
  return {
    messageId: msg.messageId,
    generatedAt: Math.floor(nowMs / 1000),
    stopTasks: stopTasks.map((c) => ({ taskArn: c.taskArn, taskClusterArn: c.taskClusterArn, desiredStatus: 'STOPPED' })),
  };
}
