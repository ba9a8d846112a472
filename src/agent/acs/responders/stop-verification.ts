/**
 * TaskStopVerificationAck (spec §4.2): accepted only when its messageId is the last manifest's (then cleared,
 * so a replay does nothing); every listed task with desiredStatus STOPPED that exists locally is stopped.
 */
import type { TaskStopVerificationAck } from '../../../shared/protocol/acs.js';
import type { ResponderContext } from './context.js';

export function respondToStopVerificationAck(msg: TaskStopVerificationAck, ctx: ResponderContext): void {
  if (!msg.messageId || msg.messageId !== ctx.manifest.lastMessageId) {
    ctx.log.debug({ messageId: msg.messageId }, 'TaskStopVerificationAck for another manifest ignored');
    return;
  }
  ctx.manifest.lastMessageId = undefined;
  for (const t of msg.stopTasks ?? []) {
    if (t.taskArn && t.desiredStatus === 'STOPPED') ctx.engine.stopTask(t.taskArn);
  }
}
