/** HeartbeatMessage -> HeartbeatAckRequest{messageId}, immediately (spec §3.2). */
import type { HeartbeatMessage } from '../../../shared/protocol/acs.js';
import type { ResponderContext } from './context.js';

export function respondToHeartbeat(msg: HeartbeatMessage, ctx: ResponderContext): void {
  if (!msg.messageId) return;
  ctx.send('HeartbeatAckRequest', { messageId: msg.messageId });
}
