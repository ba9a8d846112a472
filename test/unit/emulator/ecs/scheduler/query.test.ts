import t from 'tap';
import { evaluate, type InstanceFacts } from '../../../../../src/emulator/ecs/scheduler/query/evaluate.js';
import { isDynamic, parseExpression } from '../../../../../src/emulator/ecs/scheduler/query/parse.js';
import { QueryError, tokenize } from '../../../../../src/emulator/ecs/scheduler/query/tokens.js';

const facts = (over: Partial<InstanceFacts> = {}): InstanceFacts => ({
  ec2InstanceId: 'i-0123',
  registeredAt: Date.parse('2024-06-01T00:00:00Z'),
  runningTasksCount: 2,
  agentConnected: true,
  agentVersion: '1.72.0',
  dockerVersion: 'DockerVersion: 20.10.24',
  attributes: new Map<string, string | undefined>([
    ['ecs.instance-type', 't2.small'],
    ['ecs.availability-zone', 'us-east-1a'],
    ['ecs.capability.full-sync', undefined],
    ['stack', 'prod'],
    ['cores', '8'],
  ]),
  taskGroups: new Map([['service:web', 2], ['family:db', 1]]),
  ...over,
});
const holds = (expr: string, f = facts()): boolean => evaluate(parseExpression(expr), f);

t.test('the tokenizer keeps values with dashes, dots and colons whole and splits operators', async (t) => {
  t.same(
    tokenize("attribute:ecs.availability-zone in [us-east-1a, 'us east'] && registeredAt>=2018-08-27T00:00:00Z").map((x) => x.text),
    ['attribute:ecs.availability-zone', 'in', '[', 'us-east-1a', ',', 'us east', ']', '&&', 'registeredAt', '>=', '2018-08-27T00:00:00Z'],
  );
  t.throws(() => tokenize("stack == 'open"), QueryError);
});

t.test('equality and inequality compare attribute values; a missing attribute is never equal', async (t) => {
  t.ok(holds('attribute:ecs.instance-type == t2.small'));
  t.notOk(holds('attribute:ecs.instance-type == t2.large'));
  t.ok(holds('attribute:ecs.instance-type != t2.large'));
  t.ok(holds('attribute:stack equals prod'));
  t.notOk(holds('attribute:missing == x'));
  t.ok(holds('attribute:missing != x'), 'an instance without the attribute is not equal to x');
});

t.test('ordering compares numbers as numbers and registeredAt as dates', async (t) => {
  t.ok(holds('attribute:cores > 4'), '8 > 4 numerically');
  t.notOk(holds('attribute:cores > 10'), '8 < 10 numerically (not as strings)');
  t.ok(holds('attribute:cores >= 8'));
  t.ok(holds('attribute:cores <= 8 and attribute:cores < 9'));
  t.ok(holds('runningTasksCount == 2'));
  t.ok(holds('runningTasksCount < 3'));
  t.notOk(holds('runningTasksCount greater_than 2'));
  t.ok(holds('registeredAt > 2024-01-01'));
  t.ok(holds('registeredAt < 2024-06-02T00:00:00Z'));
  t.notOk(holds('registeredAt < 2020-01-01'));
});

t.test('in, not in, exists and not exists', async (t) => {
  t.ok(holds('attribute:ecs.availability-zone in [us-east-1a, us-east-1b]'));
  t.notOk(holds('attribute:ecs.availability-zone in [us-east-1c]'));
  t.ok(holds('attribute:ecs.availability-zone not_in [us-east-1c]'));
  t.ok(holds('attribute:ecs.availability-zone !in [us-east-1c]'));
  t.ok(holds('attribute:ecs.capability.full-sync exists'), 'a value-less attribute exists');
  t.notOk(holds('attribute:gpu exists'));
  t.ok(holds('attribute:gpu !exists'));
  t.ok(holds('attribute:gpu not_exists'));
  t.ok(holds('ec2InstanceId in [i-0123, i-0456]'));
});

t.test('pattern matching with =~ and !~', async (t) => {
  t.ok(holds('attribute:ecs.instance-type =~ t2.*'));
  t.notOk(holds('attribute:ecs.instance-type =~ m5.*'));
  t.ok(holds('attribute:ecs.instance-type !~ m5.*'));
  t.throws(() => parseExpression('attribute:x =~ ('), QueryError, 'an invalid pattern is a parse error');
});

t.test('task:group matches when any task on the instance is in the group', async (t) => {
  t.ok(holds('task:group == service:web'));
  t.notOk(holds('task:group == service:api'));
  t.ok(holds('task:group != service:api'), 'no task of the group here');
  t.notOk(holds('not(task:group == family:db)'));
  t.notOk(holds('task:group exists', facts({ taskGroups: new Map() })));
});

t.test('and binds tighter than or; not and parentheses', async (t) => {
  t.ok(holds('attribute:stack == dev or attribute:stack == prod and runningTasksCount == 2'));
  t.notOk(holds('(attribute:stack == dev or attribute:stack == prod) and runningTasksCount == 5'));
  t.ok(holds('not (attribute:stack == dev)'));
  t.ok(holds('!(attribute:stack == dev) && agentConnected == true'));
  t.ok(holds('attribute:stack == dev || agentVersion == 1.72.0'));
  t.ok(holds('dockerVersion =~ ".*20\\.10.*"'));
});

t.test('expressions that read task groups or running counts are dynamic', async (t) => {
  t.ok(isDynamic(parseExpression('attribute:a == b or task:group == x')));
  t.ok(isDynamic(parseExpression('not(runningTasksCount > 1)')));
  t.notOk(isDynamic(parseExpression('attribute:a == b and ec2InstanceId != i-1')));
});

t.test('bad expressions are rejected with the position of the problem', async (t) => {
  const bad: [string, RegExp][] = [
    ['', /empty expression/],
    ['attribute: == x', /attribute name missing/],
    ['color == red', /unknown attribute 'color'/],
    ['attribute:a === b', /unexpected|value/],
    ['attribute:a like b', /unknown operator 'like'/],
    ['attribute:a == ', /expected a value/],
    ['attribute:a in [x, y', /expected ',' or '\]'/],
    ['attribute:a in x', /expected '\['/],
    ['(attribute:a == b', /expected '\)'/],
    ['attribute:a == b c', /unexpected 'c' at position 17/],
    ['attribute:a == b and', /expected an expression/],
    ['attribute:a ! == b', /expected 'in' or 'exists'/],
  ];
  for (const [expr, re] of bad) t.throws(() => parseExpression(expr), re, `rejects "${expr}"`);
});
