/** IAMRoleCredentialsMessage -> stored in memory, then IAMRoleCredentialsAckRequest (spec §4.1-§4.2). */
import type { IAMRoleCredentialsMessage } from '../../../shared/protocol/acs.js';
import type { ResponderContext } from '../context.js';

export function respondToCredentials(msg: IAMRoleCredentialsMessage, ctx: ResponderContext): void {
  const creds = msg.roleCredentials;
  if (!msg.messageId || !msg.taskArn || !creds?.credentialsId) {
    ctx.log.warn({ messageId: msg.messageId }, 'invalid IAMRoleCredentialsMessage; not acked');
    return;
  }
  ctx.credentials.put({ taskArn: msg.taskArn, roleType: msg.roleType ?? 'TaskApplication', credentials: creds });
  ctx.send('IAMRoleCredentialsAckRequest', {
    messageId: msg.messageId,
    expiration: creds.expiration ?? '',
    credentialsId: creds.credentialsId,
  });
}
