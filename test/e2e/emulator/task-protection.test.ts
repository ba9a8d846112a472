import t from 'tap';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  GetTaskProtectionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
  UpdateTaskProtectionCommand,
} from '@aws-sdk/client-ecs';
import { reconcile } from '../../../src/emulator/ecs/services/reconcile.js';
import type { ReconcileInput } from '../../../src/emulator/ecs/services/model.js';
import { newDeployment } from '../../../src/emulator/ecs/services/deployments.js';
import { DEFAULT_PROTECTION_MINUTES, isProtected, withProtection } from '../../../src/emulator/ecs/services/protection.js';
import type { ServiceRecord, TaskRecord } from '../../../src/emulator/ecs/records.js';
import { rawCall, startTestEmulator } from '../../kit/emulator.js';
import { webTaskDefinition } from '../../kit/emulator-fixtures.js';
import { connectedInstance, settle, tasksOf } from '../../kit/emulator-services.js';

const NOW = 10_000_000;
const TD1 = 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1';
const TD2 = 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:2';

function service(desiredCount: number, deployments = [newDeployment(TD1, desiredCount, 0, 'd1')]): ServiceRecord {
  return {
    arn: 'arn:svc/web', name: 'web', cluster: 'c', status: 'ACTIVE', taskDefinition: deployments[0]!.taskDefinition, desiredCount,
    schedulingStrategy: 'REPLICA', minimumHealthyPercent: 100, maximumPercent: 200, circuitBreaker: { enable: false, rollback: false },
    placementConstraints: [], placementStrategy: [], deployments, events: [], steady: false, createdAt: 0, tags: [],
    propagateTags: 'NONE', enableECSManagedTags: false,
  };
}

let n = 0;
function task(deploymentId: string, protectedFor?: number): TaskRecord {
  n++;
  return {
    arn: `arn:task/${n}`, cluster: 'c', taskDefinitionArn: TD1, containerInstanceArn: 'i1', lastStatus: 'RUNNING', desiredStatus: 'RUNNING',
    containers: [], containerOverrides: [], reserved: { cpu: 0, memory: 0, tcpPorts: [], udpPorts: [] }, serviceName: 'web', deploymentId,
    group: 'service:web', version: 1, createdAt: n, startedAt: 0,
    ...(protectedFor === undefined ? {} : { protectionExpiresAt: NOW + protectedFor }),
  };
}

const input = (svc: ServiceRecord, tasks: TaskRecord[], now = NOW): ReconcileInput => ({
  service: svc, tasks, instances: [{ arn: 'i1', status: 'ACTIVE', eligible: true }], now, ids: { deployment: () => 'rb', event: () => 'e' },
});

t.test('a scale-in stops unprotected tasks only, even the older ones, and never a protected one', async (t) => {
  const older = task('d1');
  const guarded = [task('d1', 60_000), task('d1', 60_000)]; // the newest: a plain scale-in would pick these first
  const r = reconcile(input(service(1), [older, ...guarded]));
  t.same(r.stop.map((s) => s.taskArn), [older.arn], 'the one unprotected task goes, though it is the oldest');
  t.same(r.start, [], 'nothing is started: two protected tasks already exceed desiredCount 1');
  const none = reconcile(input(service(0), guarded));
  t.same(none.stop, [], 'scaling to 0 stops no protected task');
  t.notOk(none.service.steady, 'the service is not steady while protected tasks exceed desiredCount');
});

t.test('an expired protection no longer holds a task back', async (t) => {
  const guarded = [task('d1', 60_000), task('d1', 60_000)];
  const later = reconcile(input(service(1), guarded, NOW + 60_000));
  t.equal(later.stop.length, 1, 'at the expiry instant the scale-in goes on');
});

t.test('a deployment starts its new tasks but waits for protected old ones', async (t) => {
  const deployments = [newDeployment(TD2, 2, 1, 'd2'), { ...newDeployment(TD1, 2, 0, 'd1'), status: 'ACTIVE' as const }];
  const old = [task('d1', 60_000), task('d1')];
  const fresh = [task('d2'), task('d2')];
  const r = reconcile(input(service(2, deployments), [...old, ...fresh]));
  t.same(r.stop.map((s) => s.taskArn), [old[1]!.arn], 'the unprotected old task is replaced');
  t.equal(r.service.deployments.length, 2, 'the old deployment stays while its protected task runs');
  t.equal(r.service.deployments[0]!.rolloutState, 'IN_PROGRESS');
});

t.test('withProtection starts the default 2 h period from now and clears it when disabled', async (t) => {
  const p = withProtection(task('d1'), true, undefined, NOW);
  t.equal(p.protectionExpiresAt, NOW + DEFAULT_PROTECTION_MINUTES * 60_000);
  t.ok(isProtected(p, NOW + 1));
  const off = withProtection(p, false, 30, NOW);
  t.notOk('protectionExpiresAt' in off);
  t.notOk(isProtected(off, NOW));
});

t.test('UpdateTaskProtection and GetTaskProtection keep protection with its expiry, and scale-in leaves the protected task', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  await ecs.send(new CreateClusterCommand({ clusterName: 'prot-api' }));
  await connectedInstance(t, emu.url, ecs, 'prot-api');
  await webTaskDefinition(ecs, { family: 'web' });
  await ecs.send(new CreateServiceCommand({ cluster: 'prot-api', serviceName: 'web', taskDefinition: 'web', desiredCount: 3 }));
  await settle(emu.url, ecs, 'prot-api', 'web', (s) => s.runningCount === 3);
  const [a, b] = (await tasksOf(ecs, 'prot-api', 'web')).map((x) => x.taskArn!);

  const before = Date.now();
  const up = await ecs.send(new UpdateTaskProtectionCommand({ cluster: 'prot-api', tasks: [a!, b!], protectionEnabled: true, expiresInMinutes: 60 }));
  t.same(up.failures, []);
  t.equal(up.protectedTasks?.length, 2);
  const exp = up.protectedTasks![0]!.expirationDate!.getTime();
  t.ok(exp >= before + 3_600_000 - 1000 && exp <= Date.now() + 3_600_000 + 1000, 'expires 60 minutes from now');
  const got = await ecs.send(new GetTaskProtectionCommand({ cluster: 'prot-api', tasks: [a!.split('/').pop()!] }));
  t.match(got.protectedTasks, [{ taskArn: a, protectionEnabled: true }], 'a task id works too');
  t.equal(got.protectedTasks![0]!.expirationDate!.getTime(), exp);

  await ecs.send(new UpdateServiceCommand({ cluster: 'prot-api', service: 'web', desiredCount: 0 }));
  const s = await settle(emu.url, ecs, 'prot-api', 'web', (x) => x.runningCount === 2 && x.pendingCount === 0);
  t.equal(s.desiredCount, 0);
  t.same((await tasksOf(ecs, 'prot-api', 'web')).map((x) => x.taskArn).sort(), [a, b].sort(), 'only the protected tasks are left running');

  await ecs.send(new UpdateTaskProtectionCommand({ cluster: 'prot-api', tasks: [a!], protectionEnabled: false }));
  await settle(emu.url, ecs, 'prot-api', 'web', (x) => x.runningCount === 1);
  t.same((await tasksOf(ecs, 'prot-api', 'web')).map((x) => x.taskArn), [b], 'lifting protection lets the scale-in finish that task');
  const off = await ecs.send(new GetTaskProtectionCommand({ cluster: 'prot-api', tasks: [a!] }));
  t.same(off.protectedTasks, [{ taskArn: a, protectionEnabled: false }], 'no expirationDate without protection');
});

t.test('task protection rejects bad input with the ECS errors and fails standalone and unknown tasks', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  await ecs.send(new CreateClusterCommand({ clusterName: 'prot-bad' }));
  await connectedInstance(t, emu.url, ecs, 'prot-bad');
  await webTaskDefinition(ecs, { family: 'web' });
  const run = await ecs.send(new RunTaskCommand({ cluster: 'prot-bad', taskDefinition: 'web' }));
  const standalone = run.tasks![0]!.taskArn!;
  const call = (body: object) => rawCall(emu.url, 'UpdateTaskProtection', { cluster: 'prot-bad', tasks: [standalone], ...body });

  for (const minutes of [0, 2881, -5]) {
    const r = await call({ protectionEnabled: true, expiresInMinutes: minutes });
    t.equal(r.status, 400);
    t.match(r.body, { __type: 'InvalidParameterException', message: /expiresInMinutes must be between 1 and 2880/ }, `expiresInMinutes ${minutes}`);
  }
  t.match((await call({})).body, { __type: 'InvalidParameterException', message: /protectionEnabled/ }, 'protectionEnabled is required');
  t.match((await call({ protectionEnabled: true, tasks: Array.from({ length: 11 }, (_, i) => `t${i}`) })).body, { __type: 'InvalidParameterException' }, 'at most 10 tasks');
  t.match((await rawCall(emu.url, 'GetTaskProtection', { cluster: 'nope', tasks: [standalone] })).body, { __type: 'ClusterNotFoundException' });

  const r = await ecs.send(new UpdateTaskProtectionCommand({ cluster: 'prot-bad', tasks: [standalone, 'arn:aws:ecs:us-east-1:000000000000:task/prot-bad/0000'], protectionEnabled: true, expiresInMinutes: 2880 }));
  t.same(r.protectedTasks, []);
  t.match(r.failures, [{ arn: standalone, reason: 'TASK_NOT_VALID' }, { arn: /0000$/, reason: 'MISSING' }]);
});
