import { defineHandler } from '../handler.js';

export const listClusters = defineHandler<Record<string, never>>({
  input: { nextToken: { type: 'string' }, maxResults: { type: 'integer' } },
  handle(ctx) {
    return { clusterArns: ctx.store.listClusters().map((c) => c.arn) };
  },
});
