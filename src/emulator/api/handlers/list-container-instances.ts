import { defineHandler } from '../handler.js';
import { resolveCluster } from '../lookup.js';

const STATUSES = ['ACTIVE', 'DRAINING', 'REGISTERING', 'DEREGISTERING', 'REGISTRATION_FAILED'] as const;

export const listContainerInstances = defineHandler<{ cluster?: string; status?: string }>({
  input: {
    cluster: { type: 'string' },
    filter: { type: 'string' },
    nextToken: { type: 'string' },
    maxResults: { type: 'integer' },
    status: { type: 'string', enum: STATUSES },
  },
  handle(ctx, input) {
    const cluster = resolveCluster(ctx, input.cluster);
    const instances = ctx.store.listInstances(cluster.name).filter((i) => !input.status || i.status === input.status);
    return { containerInstanceArns: instances.map((i) => i.arn) };
  },
});
