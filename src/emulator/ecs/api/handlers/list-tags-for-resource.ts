import { defineHandler } from '../handler.js';
import { findTaggable } from '../taggable.js';

export const listTagsForResource = defineHandler<{ resourceArn: string }>({
  input: { resourceArn: { type: 'string', required: true } },
  handle(ctx, input) {
    return { tags: findTaggable(ctx, input.resourceArn).tags };
  },
});
