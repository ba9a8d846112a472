import { invalidParameter } from '../../errors.js';
import { ecsOperation } from '../service.js';
import { findTaggable } from '../taggable.js';

ecsOperation('UntagResource', {
  input: { resourceArn: { type: 'string', required: true }, tagKeys: { type: 'list', required: true, of: 'string' } },
  handle(ctx, input) {
    if (input.tagKeys.some((k) => k.toLowerCase().startsWith('aws:'))) throw invalidParameter("Tag keys beginning with 'aws:' are reserved.");
    const target = findTaggable(ctx, input.resourceArn);
    target.save(target.tags.filter((t) => !input.tagKeys.includes(t.key ?? '')));
    return {};
  },
});
