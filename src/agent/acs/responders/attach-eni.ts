/**
 * AttachTaskNetworkInterfacesMessage (spec §3.2, §4.2 "Attach ENI"): exactly one ENI with a MAC, an IPv4
 * address and a subnet gateway; the record is persisted, then acked with the message's own clusterArn and
 * containerInstanceArn. An invalid message, or one arriving when awsvpc is off, is not acked. A duplicate
 * (known MAC) is acked again and changes nothing.
 */
import type { AttachTaskNetworkInterfacesMessage } from '../../../shared/protocol/acs.js';
import { parseEni } from '../../model/eni.js';
import type { ResponderContext } from './context.js';

const DEFAULT_WAIT_MS = 60_000;

export function respondToAttachEni(msg: AttachTaskNetworkInterfacesMessage, ctx: ResponderContext): void {
  const log = ctx.log.child({ messageId: msg.messageId, taskArn: msg.taskArn });
  if (!ctx.enis) {
    log.warn('ENI attachment received but awsvpc is not enabled here; not acked');
    return;
  }
  const enis = msg.elasticNetworkInterfaces ?? [];
  if (!msg.messageId || !msg.taskArn || enis.length !== 1) {
    log.warn({ enis: enis.length }, 'invalid ENI attachment message (needs messageId, taskArn and exactly one ENI); not acked');
    return;
  }
  let eni;
  try {
    eni = parseEni(enis[0]);
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'invalid ENI in attachment message; not acked');
    return;
  }
  const attachmentArn = enis[0]?.attachmentArn;
  if (!attachmentArn) {
    log.warn('ENI attachment without an attachmentArn; not acked');
    return;
  }
  const waitMs = typeof msg.waitTimeoutMs === 'number' && msg.waitTimeoutMs > 0 ? msg.waitTimeoutMs : DEFAULT_WAIT_MS;
  try {
    if (ctx.enis.add({ attachmentArn, taskArn: msg.taskArn, eni, waitTimeoutMs: waitMs }) === 'duplicate') {
      log.info({ mac: eni.mac }, 'duplicate ENI attachment message');
    }
  } catch (err) {
    log.error({ err }, 'ENI attachment could not be saved; not acked');
    return;
  }
  ctx.send('AckRequest', { cluster: msg.clusterArn ?? ctx.cluster, containerInstance: msg.containerInstanceArn ?? ctx.containerInstanceArn, messageId: msg.messageId });
}
