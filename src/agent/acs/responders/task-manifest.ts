/**
 * TaskManifestMessage (spec §4.2): processed only when its timeline is newer than anything seen; acked, and
 * every local task desired RUNNING that the manifest does not list as RUNNING becomes a stop candidate.
 * TaskStopVerificationAck then stops the confirmed ones.
 */
import type { TaskManifestMessage, TaskStopVerificationAck } from '../../../shared/protocol/acs.js';
import type { ResponderContext } from '../context.js';

export function respondToTaskManifest(msg: TaskManifestMessage, ctx: ResponderContext): void {
  if (!msg.messageId) return;
  const timeline = msg.timeline ?? 0;
  if (timeline <= ctx.manifest.latestTimeline) return;
  ctx.manifest.latestTimeline = timeline;
  ctx.send('AckRequest', { cluster: ctx.cluster, containerInstance: ctx.containerInstanceArn, messageId: msg.messageId });
  const listedRunning = new Set((msg.tasks ?? []).filter((t) => t.desiredStatus === 'RUNNING').map((t) => t.taskArn));
  const candidates = ctx.engine.desiredRunningTasks().filter((arn) => !listedRunning.has(arn));
  if (candidates.length === 0) return;
  ctx.manifest.lastMessageId = msg.messageId;
  ctx.send('TaskStopVerificationMessage', {
    messageId: msg.messageId,
    stopCandidates: candidates.map((taskArn) => ({ taskArn, taskClusterArn: ctx.cluster, desiredStatus: 'STOPPED' })),
  });
}

export function respondToStopVerificationAck(msg: TaskStopVerificationAck, ctx: ResponderContext): void {
  if (!msg.messageId || msg.messageId !== ctx.manifest.lastMessageId) return;
  ctx.manifest.lastMessageId = undefined;
  for (const t of msg.stopTasks ?? []) {
    if (t.taskArn && t.desiredStatus === 'STOPPED') ctx.engine.stopTask(t.taskArn);
  }
}
