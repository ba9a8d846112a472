/**
 * IAMRoleCredentialsMessage -> stored in memory, then IAMRoleCredentialsAckRequest (spec §4.1-§4.2).
 * Not acked when a required member is missing or the task is unknown to the engine (the control plane re-sends).
 * Only ids and ARNs are logged: the message's secrets never reach a log line.
 */
import type { IAMRoleCredentialsMessage } from '../../../shared/protocol/acs.js';
import type { ResponderContext } from './context.js';

export function respondToCredentials(msg: IAMRoleCredentialsMessage, ctx: ResponderContext): void {
  const creds = msg.roleCredentials;
  if (!msg.messageId || !msg.taskArn || !creds?.credentialsId) {
    ctx.log.warn({ messageId: msg.messageId }, 'invalid IAMRoleCredentialsMessage; not acked');
    return;
  }
  if (!ctx.engine.tasks().includes(msg.taskArn)) {
    ctx.log.warn({ messageId: msg.messageId, taskArn: msg.taskArn }, 'credentials for a task the engine does not know; not acked');
    return;
  }
  const roleType = msg.roleType === 'TaskExecution' ? 'TaskExecution' : 'TaskApplication';
  ctx.credentials.put({ taskArn: msg.taskArn, roleType, credentials: creds });
  ctx.log.debug({ messageId: msg.messageId, taskArn: msg.taskArn, roleType }, 'task credentials refreshed');
  ctx.send('IAMRoleCredentialsAckRequest', {
    messageId: msg.messageId,
    expiration: creds.expiration ?? '',
    credentialsId: creds.credentialsId,
  });
}
