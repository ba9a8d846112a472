import type { Tag } from '../records.js';
import { invalidParameter } from '../errors.js';
import { isRecord } from '../validate.js';

const MAX_TAGS = 50;

/** ECS tag rules: at most 50, key 1-128 characters, value at most 256, the `aws:` prefix is reserved. */
export function checkTags(raw: readonly unknown[] | undefined, existing: readonly Tag[] = []): Tag[] {
  const tags = (raw ?? []).map((t, i): Tag => {
    if (!isRecord(t)) throw invalidParameter(`tags[${i}] must be a structure.`);
    const key = t['key'];
    const value = t['value'] ?? '';
    if (typeof key !== 'string' || key.length < 1 || key.length > 128) {
      throw invalidParameter('Tag keys must be between 1 and 128 characters.');
    }
    if (typeof value !== 'string' || value.length > 256) throw invalidParameter('Tag values must be at most 256 characters.');
    if (key.toLowerCase().startsWith('aws:')) throw invalidParameter("Tag keys beginning with 'aws:' are reserved.");
    return { key, value };
  });
  const merged = mergeTags(existing, tags);
  if (merged.length > MAX_TAGS) throw invalidParameter(`A resource can have at most ${MAX_TAGS} tags.`);
  return tags;
}

/** `over` wins on equal keys; order: existing keys first, then new ones. */
export function mergeTags(base: readonly Tag[], over: readonly Tag[]): Tag[] {
  const out = new Map<string, Tag>();
  for (const t of base) out.set(t.key ?? '', t);
  for (const t of over) out.set(t.key ?? '', t);
  return [...out.values()];
}
