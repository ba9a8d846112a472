import t from 'tap';
import { reconcile } from '../../../../../src/emulator/ecs/services/reconcile.js';
import type { InstanceInfo, ReconcileInput } from '../../../../../src/emulator/ecs/services/model.js';
import { failureThreshold } from '../../../../../src/emulator/ecs/services/rollout.js';
import { newDeployment } from '../../../../../src/emulator/ecs/services/deployments.js';
import type { DeploymentRecord, ServiceRecord, TaskRecord } from '../../../../../src/emulator/ecs/records.js';

const NOW = 1_000_000;
const TD1 = 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1';
const TD2 = 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:2';

function service(over: Partial<ServiceRecord> = {}, deployments: DeploymentRecord[] = [newDeployment(TD1, 3, 0, 'd1')]): ServiceRecord {
  return {
    arn: 'arn:svc/web',
    name: 'web',
    cluster: 'c',
    status: 'ACTIVE',
    taskDefinition: deployments[0]!.taskDefinition,
    desiredCount: 3,
    schedulingStrategy: 'REPLICA',
    minimumHealthyPercent: 100,
    maximumPercent: 200,
    circuitBreaker: { enable: false, rollback: false },
    placementConstraints: [],
    placementStrategy: [],
    deployments,
    events: [],
    steady: false,
    createdAt: 0,
    tags: [],
    propagateTags: 'NONE',
    enableECSManagedTags: false,
    ...over,
  };
}

let n = 0;
function task(deploymentId: string, over: Partial<TaskRecord> = {}): TaskRecord {
  n++;
  return {
    arn: `arn:task/${n}`,
    cluster: 'c',
    taskDefinitionArn: TD1,
    containerInstanceArn: 'i1',
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    containers: [],
    containerOverrides: [],
    reserved: { cpu: 0, memory: 0, tcpPorts: [], udpPorts: [] },
    serviceName: 'web',
    deploymentId,
    group: 'service:web',
    version: 1,
    createdAt: n,
    startedAt: 0,
    ...over,
  };
}

const instances = (...specs: [string, InstanceInfo['status']?][]): InstanceInfo[] =>
  specs.map(([arn, status = 'ACTIVE']) => ({ arn, status, eligible: status === 'ACTIVE' }));

let ids = 0;
const input = (svc: ServiceRecord, tasks: TaskRecord[], insts = instances(['i1'], ['i2'])): ReconcileInput => ({
  service: svc,
  tasks,
  instances: insts,
  now: NOW,
  ids: { deployment: () => `rollback-${++ids}`, event: () => `e${++ids}` },
});

t.test('a new service starts desiredCount tasks of its PRIMARY deployment', async (t) => {
  const r = reconcile(input(service(), []));
  t.same(r.start, [{ deploymentId: 'd1', taskDefinition: TD1, count: 3 }]);
  t.same(r.stop, []);
  t.equal(r.service.deployments[0]!.rolloutState, 'IN_PROGRESS');
});

t.test('running tasks that match desiredCount complete the rollout and announce a steady state once', async (t) => {
  const tasks = [task('d1'), task('d1'), task('d1')];
  const r = reconcile(input(service(), tasks));
  t.same(r.start, []);
  t.equal(r.service.deployments[0]!.rolloutState, 'COMPLETED');
  t.same(r.service.events.map((e) => e.message), [
    '(service web) has reached a steady state.',
    '(service web) (deployment d1) deployment completed.',
  ]);
  t.equal(r.service.stableTaskDefinition, TD1);
  const again = reconcile(input(r.service, tasks));
  t.equal(again.service.events.length, 2, 'no second steady-state event while nothing changes');
});

t.test('a stopped task is replaced', async (t) => {
  const tasks = [task('d1'), task('d1'), task('d1', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'EssentialContainerExited' })];
  const r = reconcile(input(service(), tasks));
  t.same(r.start, [{ deploymentId: 'd1', taskDefinition: TD1, count: 1 }]);
  t.equal(r.service.deployments[0]!.failedTasks, 1);
});

t.test('scaling in stops pending tasks first, then the newest', async (t) => {
  const old = task('d1');
  const newest = task('d1');
  const pending = task('d1', { lastStatus: 'PENDING' });
  const r = reconcile(input(service({ desiredCount: 1 }), [old, newest, pending]));
  t.same(r.stop.map((s) => s.taskArn), [pending.arn, newest.arn]);
  t.match(r.stop[0]!.reason, /Scaling activity initiated by \(deployment d1\)/);
});

t.test('a rolling update with 100/200 starts all new tasks before stopping any old one', async (t) => {
  const deployments = [newDeployment(TD2, 3, 0, 'd2'), { ...newDeployment(TD1, 3, 0, 'd1'), status: 'ACTIVE' as const }];
  const old = [task('d1'), task('d1'), task('d1')];
  const first = reconcile(input(service({}, deployments), old));
  t.same(first.start, [{ deploymentId: 'd2', taskDefinition: TD2, count: 3 }], 'room for 3 more within 200%');
  t.same(first.stop, [], 'minimumHealthyPercent 100 keeps all old tasks');
  t.same(first.service.deployments.map((d) => [d.id, d.status]), [['d2', 'PRIMARY'], ['d1', 'ACTIVE']]);

  const fresh = [task('d2', { lastStatus: 'PENDING' }), task('d2', { lastStatus: 'PENDING' }), task('d2', { lastStatus: 'PENDING' })];
  t.same(reconcile(input(first.service, [...old, ...fresh])).stop, [], 'old tasks stay while the new ones are pending');

  const up = fresh.map((x) => ({ ...x, lastStatus: 'RUNNING' as const }));
  const swap = reconcile(input(first.service, [...old, ...up]));
  t.same(swap.stop.map((s) => s.taskArn).sort(), old.map((x) => x.arn).sort(), 'all old tasks go once the new ones are healthy');

  const done = reconcile(input(swap.service, up));
  t.same(done.service.deployments.map((d) => d.id), ['d2'], 'the drained deployment is dropped');
  t.equal(done.service.deployments[0]!.rolloutState, 'COMPLETED');
});

t.test('a rolling update with 50/100 stops half first and never exceeds desiredCount', async (t) => {
  const deployments = [newDeployment(TD2, 4, 0, 'd2'), { ...newDeployment(TD1, 4, 0, 'd1'), status: 'ACTIVE' as const }];
  const svc = service({ desiredCount: 4, minimumHealthyPercent: 50, maximumPercent: 100 }, deployments);
  const old = [task('d1'), task('d1'), task('d1'), task('d1')];
  const r = reconcile(input(svc, old));
  t.same(r.start, [], 'no room above 100%');
  t.equal(r.stop.length, 2, 'two may go while two stay healthy (50% of 4)');
  const stopping = old.map((x, i) => (i < 2 ? { ...x, desiredStatus: 'STOPPED' as const } : x));
  t.same(reconcile(input(r.service, stopping)).start, [], 'stopping tasks still count against maximumPercent');
  const gone = old.slice(2);
  t.same(reconcile(input(r.service, gone)).start, [{ deploymentId: 'd2', taskDefinition: TD2, count: 2 }]);
});

t.test('healthCheckGracePeriodSeconds: new tasks must stay up that long before old ones go', async (t) => {
  const deployments = [newDeployment(TD2, 1, 0, 'd2'), { ...newDeployment(TD1, 1, 0, 'd1'), status: 'ACTIVE' as const }];
  const svc = service({ desiredCount: 1, healthCheckGracePeriodSeconds: 30 }, deployments);
  const old = task('d1');
  const young = task('d2', { startedAt: NOW - 10_000 });
  t.same(reconcile(input(svc, [old, young])).stop, [], '10 s into a 30 s grace period');
  const grown = { ...young, startedAt: NOW - 31_000 };
  t.same(reconcile(input(svc, [old, grown])).stop.map((s) => s.taskArn), [old.arn]);
});

t.test('tasks on a DRAINING instance are replaced on ACTIVE ones before they are stopped', async (t) => {
  const a = task('d1', { containerInstanceArn: 'i1' });
  const b = task('d1', { containerInstanceArn: 'i2' });
  const svc = service({ desiredCount: 2 }, [newDeployment(TD1, 2, 0, 'd1')]);
  const insts = instances(['i1', 'DRAINING'], ['i2']);
  const r = reconcile(input(svc, [a, b], insts));
  t.same(r.start, [{ deploymentId: 'd1', taskDefinition: TD1, count: 1 }]);
  t.same(r.stop, [], 'the draining task serves until its replacement is healthy');
  const repl = task('d1', { containerInstanceArn: 'i2' });
  const r2 = reconcile(input(svc, [a, b, repl], insts));
  t.same(r2.stop, [{ taskArn: a.arn, reason: 'Container instance is being drained' }]);
});

t.test('tasks on a deregistered instance no longer count and are replaced', async (t) => {
  const a = task('d1', { containerInstanceArn: 'gone' });
  const svc = service({ desiredCount: 1 }, [newDeployment(TD1, 1, 0, 'd1')]);
  const r = reconcile(input(svc, [a], instances(['i1'], ['gone', 'INACTIVE'])));
  t.same(r.start, [{ deploymentId: 'd1', taskDefinition: TD1, count: 1 }]);
});

t.test('the circuit breaker fails the rollout at the threshold and rolls back', async (t) => {
  t.equal(failureThreshold(1), 3);
  t.equal(failureThreshold(10), 5);
  t.equal(failureThreshold(1000), 200);
  const deployments = [newDeployment(TD2, 2, 0, 'd2'), { ...newDeployment(TD1, 2, 0, 'd1'), status: 'ACTIVE' as const }];
  const svc = service(
    { desiredCount: 2, circuitBreaker: { enable: true, rollback: true }, stableTaskDefinition: TD1 },
    deployments,
  );
  const failed = [1, 2, 3].map(() => task('d2', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'TaskFailedToStart' }));
  const old = [task('d1'), task('d1')];
  const r = reconcile(input(svc, [...old, ...failed]));
  const [primary, ...rest] = r.service.deployments;
  t.equal(primary!.taskDefinition, TD1, 'a new PRIMARY deployment with the last completed task definition');
  t.match(primary!.rolloutStateReason, /circuit breaker: rolling back/);
  t.same(rest.map((d) => d.id), ['d1'], 'the failed deployment, without tasks, is gone; d1 still holds its tasks');
  t.same(r.start, [{ deploymentId: primary!.id, taskDefinition: TD1, count: 2 }]);
  t.equal(r.service.taskDefinition, TD1);
  t.ok(r.service.events.some((e) => e.message === '(service web) (deployment d2) deployment failed: tasks failed to start.'));
});

t.test('without rollback a failed rollout stops launching', async (t) => {
  const svc = service({ desiredCount: 1, circuitBreaker: { enable: true, rollback: false } }, [newDeployment(TD2, 1, 0, 'd2')]);
  const failed = [1, 2, 3].map(() => task('d2', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'TaskFailedToStart' }));
  const r = reconcile(input(svc, failed));
  t.equal(r.service.deployments[0]!.rolloutState, 'FAILED');
  t.same(r.start, []);
});

t.test('a deleted service stops everything and becomes INACTIVE when nothing is left', async (t) => {
  const svc = service({ status: 'DRAINING', desiredCount: 0 });
  const running = [task('d1'), task('d1')];
  const r = reconcile(input(svc, running));
  t.equal(r.stop.length, 2);
  t.equal(r.service.status, 'DRAINING');
  t.equal(reconcile(input(svc, [])).service.status, 'INACTIVE');
});

t.test('DAEMON: one task per eligible instance, none on draining ones, old revisions replaced stop-first', async (t) => {
  const svc = service({ schedulingStrategy: 'DAEMON', desiredCount: 0, minimumHealthyPercent: 0, maximumPercent: 100 }, [newDeployment(TD1, 0, 0, 'd1')]);
  const insts = instances(['i1'], ['i2'], ['i3', 'DRAINING']);
  const onI3 = task('d1', { containerInstanceArn: 'i3' });
  const r = reconcile(input(svc, [onI3], insts));
  t.same(r.start.map((s) => s.instanceArn).sort(), ['i1', 'i2']);
  t.same(r.stop.map((s) => s.taskArn), [onI3.arn]);
  t.equal(r.service.desiredCount, 2);

  const deployments = [newDeployment(TD2, 2, 0, 'd2'), { ...newDeployment(TD1, 2, 0, 'd1'), status: 'ACTIVE' as const }];
  const v1 = [task('d1', { containerInstanceArn: 'i1' }), task('d1', { containerInstanceArn: 'i2' })];
  const roll = reconcile(input({ ...svc, deployments }, v1, instances(['i1'], ['i2'])));
  t.same(roll.stop.length, 2, 'old daemons stop first');
  t.same(roll.start, [], 'no new daemon while the old one is still there');
  const dup = reconcile(input({ ...svc, deployments }, [task('d2', { containerInstanceArn: 'i1' }), task('d2', { containerInstanceArn: 'i1' })], instances(['i1'])));
  t.equal(dup.stop.length, 1, 'two current daemons on one instance: one goes');
});
