import { defineHandler } from '../handler.js';

/** The official agent may ask; tags are not modelled yet, so there are none. */
export const listTagsForResource = defineHandler<{ resourceArn: string }>({
  input: { resourceArn: { type: 'string', required: true } },
  handle() {
    return { tags: [] };
  },
});
