import { invalidParameter } from '../errors.js';

/**
 * maxResults / nextToken over an in-memory list, as ECS pages its List* operations. The token is opaque to
 * clients (base64 of the next offset); a token that does not decode is InvalidParameterException, as in ECS.
 */
export function paginate<T>(
  items: readonly T[],
  input: { maxResults?: number; nextToken?: string },
  limit = 100,
  defaultMax = limit,
): { page: T[]; nextToken?: string } {
  const max = input.maxResults ?? defaultMax;
  if (!Number.isInteger(max) || max < 1 || max > limit) {
    throw invalidParameter(`maxResults must be between 1 and ${limit}.`);
  }
  let start = 0;
  if (input.nextToken !== undefined) {
    const m = /^berth:(\d+)$/.exec(Buffer.from(input.nextToken, 'base64').toString('utf8'));
    if (!m) throw invalidParameter('Invalid nextToken.');
    start = Number(m[1]);
  }
  const page = items.slice(start, start + max);
  const next = start + max;
  return next < items.length ? { page, nextToken: Buffer.from(`berth:${next}`).toString('base64') } : { page };
}
