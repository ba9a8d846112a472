/** Routes each parsed ACS server message to its responder; types berth does not handle are logged. */
import type { ServerEnvelope } from '../../shared/protocol/acs.js';
import type { ResponderContext } from './responders/context.js';
import { respondToCredentials } from './responders/credentials.js';
import { respondToHeartbeat } from './responders/heartbeat.js';
import { respondToPayload } from './responders/payload.js';
import { respondToTaskManifest } from './responders/task-manifest.js';
import { respondToStopVerificationAck } from './responders/stop-verification.js';
import { respondToAttachEni } from './responders/attach-eni.js';

export function dispatch(env: ServerEnvelope, ctx: ResponderContext): void {
  switch (env.type) {
    case 'HeartbeatMessage':
      return respondToHeartbeat(env.message, ctx);
    case 'PayloadMessage':
      return respondToPayload(env.message, ctx);
    case 'IAMRoleCredentialsMessage':
      return respondToCredentials(env.message, ctx);
    case 'TaskManifestMessage':
      return respondToTaskManifest(env.message, ctx);
    case 'TaskStopVerificationAck':
      return respondToStopVerificationAck(env.message, ctx);
    case 'AttachTaskNetworkInterfacesMessage':
      return respondToAttachEni(env.message, ctx);
    case 'AttachInstanceNetworkInterfacesMessage':
      // Instance ENIs (trunking) are not supported (and not advertised): not acked.
      ctx.log.warn({ type: env.type }, 'instance ENI attachment not supported; ignored');
      return;
    case 'CloseMessage':
    case 'ErrorMessage':
      ctx.log.info({ type: env.type, message: env.message.message }, 'ACS notice');
      return;
  }
}
