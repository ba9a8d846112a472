/**
 * ECR lifecycle policies ("Lifecycle policies" in the ECR user guide), parsed and evaluated:
 *
 *   rules      by rulePriority, lowest first; an image that matches a rule's tag selection is that rule's, whether
 *              or not it expires (a later rule never sees it); `any` must be the last rule
 *   selection  tagStatus tagged (with tagPrefixList or tagPatternList: every prefix / pattern must match one of the
 *              image's tags; patterns use * wildcards), untagged, or any
 *   counts     imageCountMoreThan N: keep the N most recently pushed, expire the rest;
 *              sinceImagePushed N days: expire those pushed more than N days ago
 *
 * Pure: the same evaluation serves the preview and the expiry.
 */

export interface LifecycleRule {
  rulePriority: number;
  description?: string;
  selection: {
    tagStatus: 'tagged' | 'untagged' | 'any';
    tagPrefixList?: string[];
    tagPatternList?: string[];
    countType: 'imageCountMoreThan' | 'sinceImagePushed';
    countUnit?: 'days';
    countNumber: number;
  };
  action: { type: 'expire' };
}

export interface LifecycleImage {
  digest: string;
  tags: readonly string[];
  pushedAt: number;
}

export interface Expiry {
  digest: string;
  tags: readonly string[];
  pushedAt: number;
  rulePriority: number;
}

export class LifecyclePolicyError extends Error {}

const MAX_WILDCARDS = 4;

function fail(why: string): never {
  throw new LifecyclePolicyError(why);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringList(v: unknown, what: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === 'string' && s !== '')) fail(`${what} must be a non-empty list of non-empty strings`);
  return v as string[];
}

/** The policy text -> its rules by priority; LifecyclePolicyError says what is wrong, as ECR's validation does. */
export function parseLifecyclePolicy(text: string): LifecycleRule[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    fail('the policy is not valid JSON');
  }
  if (!isRecord(doc) || !Array.isArray(doc['rules']) || doc['rules'].length === 0) fail("the policy must have a non-empty 'rules' list");
  const rules = doc['rules'].map((raw, i): LifecycleRule => {
    const at = `rules[${i}]`;
    if (!isRecord(raw)) fail(`${at} must be an object`);
    const priority = raw['rulePriority'];
    if (!Number.isInteger(priority) || (priority as number) < 1) fail(`${at}.rulePriority must be a positive integer`);
    const sel = raw['selection'];
    if (!isRecord(sel)) fail(`${at}.selection is required`);
    const tagStatus = sel['tagStatus'];
    if (tagStatus !== 'tagged' && tagStatus !== 'untagged' && tagStatus !== 'any') fail(`${at}.selection.tagStatus must be tagged, untagged or any`);
    const prefixes = stringList(sel['tagPrefixList'], `${at}.selection.tagPrefixList`);
    const patterns = stringList(sel['tagPatternList'], `${at}.selection.tagPatternList`);
    if (tagStatus === 'tagged' && !prefixes && !patterns) fail(`${at}: tagStatus tagged needs a tagPrefixList or a tagPatternList`);
    if (prefixes && patterns) fail(`${at}: tagPrefixList and tagPatternList cannot both be given`);
    if (tagStatus !== 'tagged' && (prefixes || patterns)) fail(`${at}: only tagStatus tagged takes a tagPrefixList or tagPatternList`);
    for (const p of patterns ?? []) if ((p.match(/\*/g)?.length ?? 0) > MAX_WILDCARDS) fail(`${at}: a tag pattern has at most ${MAX_WILDCARDS} wildcards`);
    const countType = sel['countType'];
    const countNumber = sel['countNumber'];
    if (countType !== 'imageCountMoreThan' && countType !== 'sinceImagePushed') fail(`${at}.selection.countType must be imageCountMoreThan or sinceImagePushed`);
    if (!Number.isInteger(countNumber) || (countNumber as number) < 1) fail(`${at}.selection.countNumber must be a positive integer`);
    if (countType === 'sinceImagePushed' && sel['countUnit'] !== 'days') fail(`${at}: sinceImagePushed needs countUnit days`);
    if (countType === 'imageCountMoreThan' && sel['countUnit'] !== undefined) fail(`${at}: imageCountMoreThan takes no countUnit`);
    const action = raw['action'];
    if (!isRecord(action) || action['type'] !== 'expire') fail(`${at}.action.type must be expire`);
    return {
      rulePriority: priority as number,
      ...(typeof raw['description'] === 'string' ? { description: raw['description'] } : {}),
      selection: {
        tagStatus,
        ...(prefixes ? { tagPrefixList: prefixes } : {}),
        ...(patterns ? { tagPatternList: patterns } : {}),
        countType,
        ...(countType === 'sinceImagePushed' ? { countUnit: 'days' as const } : {}),
        countNumber: countNumber as number,
      },
      action: { type: 'expire' },
    };
  });
  const sorted = [...rules].sort((a, b) => a.rulePriority - b.rulePriority);
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.rulePriority === sorted[i - 1]!.rulePriority) fail(`rulePriority ${sorted[i]!.rulePriority} is used twice`);
  const any = sorted.findIndex((r) => r.selection.tagStatus === 'any');
  if (any >= 0 && any !== sorted.length - 1) fail('a rule with tagStatus any must have the highest rulePriority');
  return sorted;
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function selects(rule: LifecycleRule, image: LifecycleImage): boolean {
  const { tagStatus, tagPrefixList, tagPatternList } = rule.selection;
  if (tagStatus === 'untagged') return image.tags.length === 0;
  if (tagStatus === 'any') return true;
  if (image.tags.length === 0) return false;
  if (tagPrefixList) return tagPrefixList.every((p) => image.tags.some((t) => t.startsWith(p)));
  return (tagPatternList ?? []).map(wildcard).every((re) => image.tags.some((t) => re.test(t)));
}

const DAY_MS = 86_400_000;

/** Which images the rules expire at `nowMs`, each with the rule that expires it. */
export function evaluateLifecycle(rules: readonly LifecycleRule[], images: readonly LifecycleImage[], nowMs: number): Expiry[] {
  const unclaimed = new Set(images);
  const out: Expiry[] = [];
  for (const rule of rules) {
    const mine = [...unclaimed].filter((i) => selects(rule, i)).sort((a, b) => b.pushedAt - a.pushedAt || (a.digest < b.digest ? -1 : 1));
    for (const i of mine) unclaimed.delete(i);
    const { countType, countNumber } = rule.selection;
    const expiring = countType === 'imageCountMoreThan' ? mine.slice(countNumber) : mine.filter((i) => nowMs - i.pushedAt > countNumber * DAY_MS);
    for (const i of expiring) out.push({ digest: i.digest, tags: i.tags, pushedAt: i.pushedAt, rulePriority: rule.rulePriority });
  }
  return out;
}
