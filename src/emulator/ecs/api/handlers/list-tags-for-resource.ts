import { ecsOperation } from '../service.js';
import { findTaggable } from '../taggable.js';

ecsOperation('ListTagsForResource', {
  input: { resourceArn: { type: 'string', required: true } },
  handle(ctx, input) {
    return { tags: findTaggable(ctx, input.resourceArn).tags };
  },
});
