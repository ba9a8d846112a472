import { ecsOperation } from '../service.js';

/** Instance ENI attachments are not emulated; the agent's report is acknowledged and dropped. */
ecsOperation('SubmitAttachmentStateChanges', {
  input: { cluster: { type: 'string' }, attachments: { type: 'list', required: true, of: 'structure' } },
  handle(ctx, input) {
    ctx.log.debug({ attachments: input.attachments.length }, 'attachment state change ignored');
    return { acknowledgment: 'ACK' };
  },
});
