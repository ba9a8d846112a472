import { invalidParameter } from '../../errors.js';
import { defineHandler } from '../handler.js';
import { findTaggable } from '../taggable.js';

export const untagResource = defineHandler<{ resourceArn: string; tagKeys: string[] }>({
  input: { resourceArn: { type: 'string', required: true }, tagKeys: { type: 'list', required: true, of: 'string' } },
  handle(ctx, input) {
    if (input.tagKeys.some((k) => k.toLowerCase().startsWith('aws:'))) throw invalidParameter("Tag keys beginning with 'aws:' are reserved.");
    const target = findTaggable(ctx, input.resourceArn);
    target.save(target.tags.filter((t) => !input.tagKeys.includes(t.key ?? '')));
    return {};
  },
});
