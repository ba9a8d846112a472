import { ecsOperation } from '../service.js';
import { findTaggable } from '../taggable.js';
import { checkTags, mergeTags } from '../tags.js';

ecsOperation('TagResource', {
  input: { resourceArn: { type: 'string', required: true }, tags: { type: 'list', required: true, of: 'structure' } },
  handle(ctx, input) {
    const target = findTaggable(ctx, input.resourceArn);
    const tags = checkTags(input.tags, target.tags);
    target.save(mergeTags(target.tags, tags));
    return {};
  },
});
