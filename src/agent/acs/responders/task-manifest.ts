/**
 * TaskManifestMessage (spec §4.1-§4.2): processed only when its timeline is newer than latestSeqNum (which it
 * then becomes, persisted); a stale manifest is skipped silently and not acked. Every local task desired
 * RUNNING that the manifest does not list as RUNNING becomes a stop candidate: AckRequest first, then
 * TaskStopVerificationMessage{messageId: <manifest messageId>, stopCandidates}. Nothing stops until the
 * control plane confirms with TaskStopVerificationAck (./stop-verification.ts).
 */
import type { TaskManifestMessage } from '../../../shared/protocol/acs.js';
import type { ResponderContext } from './context.js';

export function respondToTaskManifest(msg: TaskManifestMessage, ctx: ResponderContext): void {
  if (!msg.messageId) return;
  if (!ctx.manifest.acceptTimeline(msg.timeline)) {
    ctx.log.debug({ messageId: msg.messageId, timeline: msg.timeline, latestSeqNum: ctx.manifest.latestSeqNum }, 'stale task manifest skipped');
    return;
  }
  ctx.send('AckRequest', { cluster: ctx.cluster, containerInstance: ctx.containerInstanceArn, messageId: msg.messageId });
  const listedRunning = new Set((msg.tasks ?? []).filter((t) => t.desiredStatus === 'RUNNING').map((t) => t.taskArn));
  const candidates = ctx.engine.desiredRunningTasks().filter((arn) => !listedRunning.has(arn));
  if (candidates.length === 0) return;
  ctx.manifest.lastMessageId = msg.messageId;
  ctx.log.info({ messageId: msg.messageId, candidates: candidates.length }, 'asking the control plane to verify stop candidates');
  ctx.send('TaskStopVerificationMessage', {
    messageId: msg.messageId,
    stopCandidates: candidates.map((taskArn) => ({ taskArn, taskClusterArn: ctx.cluster, desiredStatus: 'STOPPED' })),
  });
}
