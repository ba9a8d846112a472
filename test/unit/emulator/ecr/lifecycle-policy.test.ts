import t from 'tap';
import { evaluateLifecycle, parseLifecyclePolicy } from '../../../../src/emulator/ecr/lifecycle-policy.js';

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;
const image = (digest: string, tags: string[], daysAgo: number) => ({ digest, tags, pushedAt: NOW - daysAgo * DAY });
const rule = (rulePriority: number, selection: Record<string, unknown>) => ({ rulePriority, selection, action: { type: 'expire' } });
const policy = (...rules: unknown[]) => JSON.stringify({ rules });

const IMAGES = [
  image('a', ['v1'], 50), image('b', ['v2'], 40), image('c', ['v3', 'prod'], 30), image('d', ['v4'], 20), image('e', ['v5'], 10),
  image('u1', [], 60), image('u2', [], 5), image('x', ['nightly-1'], 45),
];
const expired = (text: string) => evaluateLifecycle(parseLifecyclePolicy(text), IMAGES, NOW).map((e) => `${e.digest}@${e.rulePriority}`).sort();

t.test('rules expire what ECR documents, each image by at most one rule', async (t) => {
  t.same(expired(policy(rule(1, { tagStatus: 'tagged', tagPatternList: ['v*'], countType: 'imageCountMoreThan', countNumber: 2 }))), ['a@1', 'b@1', 'c@1'], 'keep the newest 2 v*');
  t.same(expired(policy(rule(1, { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 4 }))), ['a@1'], 'prefix list');
  t.same(expired(policy(rule(1, { tagStatus: 'tagged', tagPrefixList: ['v', 'prod'], countType: 'imageCountMoreThan', countNumber: 1 }))), [], 'every prefix must match one tag: only c has both, and one is kept');
  t.same(expired(policy(rule(1, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }))), ['u1@1'], 'untagged older than 14 days');
  t.same(expired(policy(
    rule(1, { tagStatus: 'tagged', tagPatternList: ['*prod*'], countType: 'imageCountMoreThan', countNumber: 5 }),
    rule(2, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 3 }),
  )), ['a@2', 'b@2', 'u1@2', 'x@2'], 'c is rule 1\'s (kept there), so rule 2 never sees it; any keeps the newest 3 of the rest');
  t.same(expired(policy(rule(2, { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 100 }))), [], 'nothing old enough');
});

t.test('policies ECR would refuse are refused with the reason', async (t) => {
  const bad: [string, RegExp][] = [
    ['not json', /not valid JSON/],
    [JSON.stringify({ rules: [] }), /non-empty 'rules'/],
    [policy(rule(1, { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 })), /needs a tagPrefixList or a tagPatternList/],
    [policy(rule(1, { tagStatus: 'untagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 1 })), /only tagStatus tagged/],
    [policy(rule(1, { tagStatus: 'tagged', tagPrefixList: ['v'], tagPatternList: ['v*'], countType: 'imageCountMoreThan', countNumber: 1 })), /cannot both be given/],
    [policy(rule(1, { tagStatus: 'any', countType: 'sinceImagePushed', countNumber: 1 })), /needs countUnit days/],
    [policy(rule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countUnit: 'days', countNumber: 1 })), /takes no countUnit/],
    [policy(rule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 0 })), /positive integer/],
    [policy(rule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }), rule(2, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 })), /any must have the highest rulePriority/],
    [policy(rule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }), rule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 2 })), /used twice/],
    [policy(rule(1, { tagStatus: 'tagged', tagPatternList: ['*a*b*c*d*e'], countType: 'imageCountMoreThan', countNumber: 1 })), /at most 4 wildcards/],
  ];
  for (const [text, why] of bad) t.throws(() => parseLifecyclePolicy(text), { message: why }, text.slice(0, 60));
});
