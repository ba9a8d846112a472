import { defineHandler } from '../handler.js';
import { findTaggable } from '../taggable.js';
import { checkTags, mergeTags } from '../tags.js';
import type { Tag } from '../../../store/records.js';

export const tagResource = defineHandler<{ resourceArn: string; tags: Tag[] }>({
  input: { resourceArn: { type: 'string', required: true }, tags: { type: 'list', required: true, of: 'structure' } },
  handle(ctx, input) {
    const target = findTaggable(ctx, input.resourceArn);
    const tags = checkTags(input.tags, target.tags);
    target.save(mergeTags(target.tags, tags));
    return {};
  },
});
