import t from 'tap';
import { dependencyEdges, mayStop, upGate, validateDependencies } from '../../../../src/agent/engine/dependencies.js';
import { planTask } from '../../../../src/agent/engine/step.js';
import { container, record, set } from '../../../kit/engine-fixtures.js';

const plan = (rec: ReturnType<typeof record>, now = 2000, busy: string[] = []) => planTask(rec, { now, busy: new Set(busy), admitted: true });

t.test('links and volumesFrom add implicit START and CREATE edges', async (t) => {
  const rec = record([
    container('db'),
    container('data'),
    container('app', { links: ['db:database'], volumesFrom: [{ sourceContainer: 'data', readOnly: true }], dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }] }),
  ]);
  t.same(dependencyEdges(rec.spec), [
    { from: 'app', to: 'db', condition: 'HEALTHY' },
    { from: 'app', to: 'db', condition: 'START' },
    { from: 'app', to: 'data', condition: 'CREATE' },
  ]);
});

t.test('a cycle or a dependency on a missing container is a TaskDependencyError at AddTask', async (t) => {
  const cyc = record([container('a', { dependsOn: [{ containerName: 'b', condition: 'START' }] }), container('b', { links: ['a'] })]);
  t.equal(validateDependencies(cyc.spec), 'Task dependencies cannot be resolved, taskArn: arn:aws:ecs:us-west-2:1:task/c/t1');
  const missing = record([container('a', { volumesFrom: [{ sourceContainer: 'ghost', readOnly: false }] })]);
  t.match(validateDependencies(missing.spec), /cannot be resolved/);
  const self = record([container('a', { dependsOn: [{ containerName: 'a', condition: 'START' }] })]);
  t.match(validateDependencies(self.spec), /cannot be resolved/);
  const chain = record([container('a'), container('b', { dependsOn: [{ containerName: 'a', condition: 'COMPLETE' }] }), container('c', { links: ['b'] })]);
  t.equal(validateDependencies(chain.spec), undefined);
});

t.test('independent containers move up in parallel; dependents wait', async (t) => {
  const rec = record([container('a'), container('b'), container('c', { dependsOn: [{ containerName: 'a', condition: 'START' }] })]);
  const p = plan(rec);
  t.same(p.actions, [{ kind: 'pull', container: 'a' }, { kind: 'pull', container: 'b' }]);
  t.same(p.blocked, ['c']);
  t.same(plan(rec, 2000, ['a']).actions, [{ kind: 'pull', container: 'b' }], 'a busy container gets no second action');
  set(rec, 'a', 'RUNNING');
  t.same(plan(rec).actions, [{ kind: 'pull', container: 'b' }, { kind: 'pull', container: 'c' }]);
});

t.test('each dependsOn condition is satisfied exactly when ECS says', async (t) => {
  const cases = [
    { condition: 'START', dep: ['RUNNING', {}], ok: true },
    { condition: 'START', dep: ['CREATED', {}], ok: false },
    { condition: 'COMPLETE', dep: ['RUNNING', {}], ok: false },
    { condition: 'COMPLETE', dep: ['STOPPED', { exitCode: 1, startedAt: 1 }], ok: true },
    { condition: 'SUCCESS', dep: ['STOPPED', { exitCode: 0, startedAt: 1 }], ok: true },
    { condition: 'HEALTHY', dep: ['RUNNING', {}], ok: false },
    { condition: 'HEALTHY', dep: ['RUNNING', { health: 'HEALTHY' }], ok: true },
  ] as const;
  for (const c of cases) {
    const rec = record([container('dep', { essential: false }), container('app', { dependsOn: [{ containerName: 'dep', condition: c.condition }] })]);
    set(rec, 'dep', c.dep[0], c.dep[1]);
    t.equal(upGate(rec, 'app', 'RUNNING', 2000).kind, c.ok ? 'ok' : 'blocked', `${c.condition} with dependency ${c.dep[0]} ${JSON.stringify(c.dep[1])}`);
  }
});

t.test('SUCCESS on a non-zero exit is terminal: the dependent stops with 143 and a dependency graph reason', async (t) => {
  const rec = record([container('init', { essential: false }), container('app', { dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }] })]);
  set(rec, 'init', 'STOPPED', { exitCode: 1, startedAt: 1 });
  const p = plan(rec);
  t.equal(p.failures.length, 1);
  t.match(p.failures[0], { container: 'app', message: /^dependency graph: failed to resolve container ordering dependency \[init\] for target \[app\] as dependency did not exit successfully/ });
});

t.test('a dependency that stopped without ever starting can never be satisfied', async (t) => {
  const rec = record([container('dep', { essential: false }), container('app', { dependsOn: [{ containerName: 'dep', condition: 'START' }] })]);
  set(rec, 'dep', 'STOPPED');
  rec.state.containers[0]!.startedAt = undefined;
  t.match(upGate(rec, 'app', 'RUNNING', 2000), { kind: 'terminal', message: /will never start/ });
});

t.test('startTimeout makes a HEALTHY/COMPLETE/SUCCESS wait terminal, and the plan wakes up at the deadline', async (t) => {
  const rec = record([container('db', { startTimeoutSec: 5 }), container('app', { dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }] })]);
  set(rec, 'db', 'RUNNING', { startedAt: 10_000 });
  const before = plan(rec, 14_000);
  t.same(before.blocked, ['app']);
  t.equal(before.wakeAt, 15_000);
  const after = plan(rec, 15_000);
  t.match(after.failures, [{ container: 'app', message: /did not reach desired status \[HEALTHY\] within its start timeout/ }]);
  const startOnly = record([container('db', { startTimeoutSec: 5 }), container('app', { dependsOn: [{ containerName: 'db', condition: 'START' }] })]);
  set(startOnly, 'db', 'CREATED');
  t.equal(plan(startOnly, 99_000).failures.length, 0, 'START never times out');
});

t.test('shutdown runs in reverse dependency order', async (t) => {
  const rec = record([
    container('db'),
    container('app', { dependsOn: [{ containerName: 'db', condition: 'START' }] }),
    container('proxy', { links: ['app'] }),
  ], 'STOPPED');
  for (const n of ['db', 'app', 'proxy']) set(rec, n, 'RUNNING');
  t.same(plan(rec).actions, [{ kind: 'stop', container: 'proxy' }]);
  t.notOk(mayStop(rec, 'db'));
  set(rec, 'proxy', 'STOPPED', { exitCode: 0 });
  t.same(plan(rec).actions, [{ kind: 'stop', container: 'app' }]);
  set(rec, 'app', 'STOPPED', { exitCode: 0 });
  t.same(plan(rec).actions, [{ kind: 'stop', container: 'db' }]);
});

t.test('a never-started container is marked STOPPED without Docker even while its dependents run', async (t) => {
  const rec = record([container('db'), container('app', { links: ['db'] })], 'STOPPED');
  set(rec, 'app', 'RUNNING');
  t.same(plan(rec).actions, [{ kind: 'mark-stopped', container: 'db' }, { kind: 'stop', container: 'app' }]);
});

t.test('task volumes are provisioned before any container moves, and nothing moves before admission', async (t) => {
  const rec = record([container('a')], 'RUNNING', [
    { name: 'scratch', type: 'host', sourcePath: '', scope: 'task', autoprovision: false, driver: 'local', driverOpts: {}, labels: {} },
  ]);
  t.same(plan(rec).actions, [{ kind: 'provision' }]);
  t.same(plan(rec, 0, ['provision']).actions, []);
  rec.state.volumesReady = true;
  t.same(plan(rec).actions, [{ kind: 'pull', container: 'a' }]);
  t.same(planTask(rec, { now: 0, busy: new Set(), admitted: false }).actions, [], 'waiting for host resources');
});

t.test('ECS_PULL_DEPENDENT_CONTAINERS_UPFRONT pulls a waiting container but creates nothing early', async (t) => {
  const rec = record([container('db'), container('app', { dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }] })]);
  set(rec, 'db', 'RUNNING');
  const upfront = planTask(rec, { now: 2000, busy: new Set(), admitted: true, pullUpfront: true });
  t.same(upfront.actions, [{ kind: 'pull', container: 'app' }]);
  set(rec, 'app', 'PULLED');
  t.same(planTask(rec, { now: 2000, busy: new Set(), admitted: true, pullUpfront: true }).actions, [], 'no create before db is healthy');
});
