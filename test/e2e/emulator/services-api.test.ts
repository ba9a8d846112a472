import t from 'tap';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  ListServicesCommand,
  ListTasksCommand,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { startTestEmulator, type Teardownable } from '../../kit/emulator.js';
import { webTaskDefinition } from '../../kit/emulator-fixtures.js';
import { connectedInstance, describeService, report, settle, tasksOf } from '../../kit/emulator-services.js';

async function setup(t: Teardownable, cluster: string, instances = 2) {
  const { emu, ecs } = await startTestEmulator(t);
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const arns: string[] = [];
  for (let i = 0; i < instances; i++) arns.push((await connectedInstance(t, emu.url, ecs, cluster, [{ name: 'ecs.availability-zone', value: `us-east-1${'ab'[i % 2]}` }])).arn);
  const td1 = await webTaskDefinition(ecs, { family: 'web' });
  return { emu, ecs, arns, td1 };
}

t.test('CreateService runs desiredCount tasks spread over the instances and reaches a steady state', async (t) => {
  const { emu, ecs, arns } = await setup(t, 'svc-create');
  const created = await ecs.send(
    new CreateServiceCommand({
      cluster: 'svc-create',
      serviceName: 'web',
      taskDefinition: 'web',
      desiredCount: 3,
      placementStrategy: [{ type: 'spread', field: 'instanceId' }],
      tags: [{ key: 'team', value: 'a' }],
      propagateTags: 'SERVICE',
    }),
  );
  t.equal(created.service?.status, 'ACTIVE');
  t.equal(created.service?.deployments?.[0]?.status, 'PRIMARY');
  t.equal(created.service?.deployments?.[0]?.rolloutState, 'IN_PROGRESS');
  const s = await settle(emu.url, ecs, 'svc-create', 'web', (x) => x.runningCount === 3 && x.deployments?.[0]?.rolloutState === 'COMPLETED');
  t.equal(s.deployments?.length, 1);
  t.equal(s.deployments?.[0]?.runningCount, 3);
  t.match(s.events?.[0]?.message, /^\(service web\) has reached a steady state\.$/);
  t.ok(s.events?.some((e) => /^\(service web\) has started 3 tasks: (\(task [0-9a-f]{32}\) ?){3}\.$/.test(e.message ?? '')));
  const tasks = await tasksOf(ecs, 'svc-create', 'web');
  t.equal(tasks.length, 3);
  const perInstance = new Set(tasks.map((x) => x.containerInstanceArn));
  t.same([...perInstance].sort(), [...arns].sort(), 'both instances got tasks');
  t.ok(tasks.every((x) => x.group === 'service:web' && x.startedBy === s.deployments?.[0]?.id));
  const listed = await ecs.send(new ListServicesCommand({ cluster: 'svc-create' }));
  t.same(listed.serviceArns, ['arn:aws:ecs:us-east-1:000000000000:service/svc-create/web']);
  const withTags = await ecs.send(new DescribeServicesCommand({ cluster: 'svc-create', services: ['web'], include: ['TAGS'] }));
  t.same(withTags.services?.[0]?.tags, [{ key: 'team', value: 'a' }]);
});

t.test('a stopped service task is replaced', async (t) => {
  const { emu, ecs } = await setup(t, 'svc-replace', 1);
  await ecs.send(new CreateServiceCommand({ cluster: 'svc-replace', serviceName: 'web', taskDefinition: 'web', desiredCount: 1 }));
  await settle(emu.url, ecs, 'svc-replace', 'web', (x) => x.runningCount === 1);
  const [victim] = await tasksOf(ecs, 'svc-replace', 'web');
  await report(emu.url, 'svc-replace', [victim!.taskArn!], 'STOPPED', { reason: 'killed' });
  const s = await settle(emu.url, ecs, 'svc-replace', 'web', (x) => x.runningCount === 1 && (x.events?.[0]?.message ?? '').includes('steady'));
  const now = await tasksOf(ecs, 'svc-replace', 'web');
  t.not(now[0]!.taskArn, victim!.taskArn, 'a new task');
  t.equal(s.deployments?.[0]?.failedTasks, 0, 'failures count only while a rollout is in progress');
  await ecs.send(new StopTaskCommand({ cluster: 'svc-replace', task: now[0]!.taskArn!, reason: 'by hand' }));
  await settle(emu.url, ecs, 'svc-replace', 'web', (x) => x.runningCount === 1);
  const stopped = await tasksOf(ecs, 'svc-replace', 'web', 'STOPPED');
  t.ok(stopped.some((x) => x.stoppedReason === 'by hand' && x.stopCode === 'UserInitiated'));
});

t.test('UpdateService rolls a new revision within minimumHealthyPercent and maximumPercent', async (t) => {
  const { emu, ecs } = await setup(t, 'svc-roll');
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'svc-roll',
      serviceName: 'web',
      taskDefinition: 'web',
      desiredCount: 4,
      deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 150 },
    }),
  );
  await settle(emu.url, ecs, 'svc-roll', 'web', (x) => x.deployments?.[0]?.rolloutState === 'COMPLETED');
  const td2 = await webTaskDefinition(ecs, { family: 'web', memory: 96 });
  const updated = await ecs.send(new UpdateServiceCommand({ cluster: 'svc-roll', service: 'web', taskDefinition: td2 }));
  t.same(updated.service?.deployments?.map((d) => d.status), ['PRIMARY', 'ACTIVE']);
  let maxLive = 0;
  let minRunning = Infinity;
  const done = await settle(emu.url, ecs, 'svc-roll', 'web', (x) => {
    const live = (x.deployments ?? []).reduce((n, d) => n + (d.runningCount ?? 0) + (d.pendingCount ?? 0), 0);
    maxLive = Math.max(maxLive, live);
    minRunning = Math.min(minRunning, x.runningCount ?? 0);
    return x.deployments?.length === 1 && x.deployments[0]!.rolloutState === 'COMPLETED';
  });
  t.equal(done.taskDefinition, td2);
  t.ok(maxLive <= 6, `never more than 150% of 4 tasks (saw ${maxLive})`);
  t.ok(minRunning >= 2, `never fewer than 50% of 4 running (saw ${minRunning})`);
  const tasks = await tasksOf(ecs, 'svc-roll', 'web');
  t.ok(tasks.length === 4 && tasks.every((x) => x.taskDefinitionArn === td2));
});

t.test('desiredCount changes scale the PRIMARY deployment without a new one', async (t) => {
  const { emu, ecs } = await setup(t, 'svc-scale');
  await ecs.send(new CreateServiceCommand({ cluster: 'svc-scale', serviceName: 'web', taskDefinition: 'web', desiredCount: 1 }));
  await settle(emu.url, ecs, 'svc-scale', 'web', (x) => x.runningCount === 1);
  const up = await ecs.send(new UpdateServiceCommand({ cluster: 'svc-scale', service: 'web', desiredCount: 3 }));
  t.equal(up.service?.deployments?.length, 1);
  await settle(emu.url, ecs, 'svc-scale', 'web', (x) => x.runningCount === 3);
  await ecs.send(new UpdateServiceCommand({ cluster: 'svc-scale', service: 'web', desiredCount: 0 }));
  const s = await settle(emu.url, ecs, 'svc-scale', 'web', (x) => x.runningCount === 0 && x.pendingCount === 0);
  t.equal(s.desiredCount, 0);
  const forced = await ecs.send(new UpdateServiceCommand({ cluster: 'svc-scale', service: 'web', forceNewDeployment: true }));
  t.equal(forced.service?.deployments?.length, 2, 'forceNewDeployment starts a new deployment with the same revision');
});

t.test('DRAINING an instance moves its service tasks to the other one', async (t) => {
  const { emu, ecs, arns } = await setup(t, 'svc-drain');
  await ecs.send(new CreateServiceCommand({ cluster: 'svc-drain', serviceName: 'web', taskDefinition: 'web', desiredCount: 2 }));
  await settle(emu.url, ecs, 'svc-drain', 'web', (x) => x.runningCount === 2);
  await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'svc-drain', containerInstances: [arns[0]!], status: 'DRAINING' }));
  await settle(emu.url, ecs, 'svc-drain', 'web', (x) => x.runningCount === 2 && (x.events?.[0]?.message ?? '').includes('steady state'));
  const tasks = await tasksOf(ecs, 'svc-drain', 'web');
  t.ok(tasks.every((x) => x.containerInstanceArn === arns[1]), 'all on the ACTIVE instance');
  const onDrained = await ecs.send(new ListTasksCommand({ cluster: 'svc-drain', containerInstance: arns[0] }));
  t.same(onDrained.taskArns, []);
});

t.test('a DAEMON service runs one task on every instance, including a newly registered one', async (t) => {
  const { emu, ecs } = await setup(t, 'svc-daemon');
  await ecs.send(new CreateServiceCommand({ cluster: 'svc-daemon', serviceName: 'agent', taskDefinition: 'web', schedulingStrategy: 'DAEMON' }));
  await settle(emu.url, ecs, 'svc-daemon', 'agent', (x) => x.runningCount === 2 && x.desiredCount === 2);
  const third = await connectedInstance(t, emu.url, ecs, 'svc-daemon');
  await settle(emu.url, ecs, 'svc-daemon', 'agent', (x) => x.runningCount === 3 && x.desiredCount === 3);
  const tasks = await tasksOf(ecs, 'svc-daemon', 'agent');
  t.equal(new Set(tasks.map((x) => x.containerInstanceArn)).size, 3, 'one per instance');
  t.ok(tasks.some((x) => x.containerInstanceArn === third.arn));
});

t.test('DeleteService needs desiredCount 0 or force, then drains to INACTIVE', async (t) => {
  const { emu, ecs } = await setup(t, 'svc-delete', 1);
  await ecs.send(new CreateServiceCommand({ cluster: 'svc-delete', serviceName: 'web', taskDefinition: 'web', desiredCount: 1 }));
  await settle(emu.url, ecs, 'svc-delete', 'web', (x) => x.runningCount === 1);
  await t.rejects(ecs.send(new DeleteServiceCommand({ cluster: 'svc-delete', service: 'web' })), {
    name: 'InvalidParameterException',
    message: 'The service cannot be stopped while it is scaled above 0.',
  });
  const del = await ecs.send(new DeleteServiceCommand({ cluster: 'svc-delete', service: 'web', force: true }));
  t.equal(del.service?.status, 'DRAINING');
  const s = await settle(emu.url, ecs, 'svc-delete', 'web', (x) => x.status === 'INACTIVE');
  t.equal(s.runningCount, 0);
  t.same((await ecs.send(new ListServicesCommand({ cluster: 'svc-delete' }))).serviceArns, []);
  await t.rejects(ecs.send(new UpdateServiceCommand({ cluster: 'svc-delete', service: 'web', desiredCount: 1 })), { name: 'ServiceNotActiveException' });
  const again = await ecs.send(new CreateServiceCommand({ cluster: 'svc-delete', serviceName: 'web', taskDefinition: 'web', desiredCount: 0 }));
  t.equal(again.service?.status, 'ACTIVE', 'the name can be used again');
});

t.test('service operations reject bad input with ECS errors and store nothing', async (t) => {
  const { ecs } = await setup(t, 'svc-bad', 0);
  const bad: [Promise<unknown>, string, RegExp][] = [
    [ecs.send(new CreateServiceCommand({ cluster: 'svc-bad', serviceName: 'bad name', taskDefinition: 'web' })), 'InvalidParameterException', /Service name/],
    [ecs.send(new CreateServiceCommand({ cluster: 'svc-bad', serviceName: 'x', taskDefinition: 'nope' })), 'ClientException', /Unable to describe task definition/],
    [ecs.send(new CreateServiceCommand({ cluster: 'nope', serviceName: 'x', taskDefinition: 'web' })), 'ClusterNotFoundException', /Cluster not found/],
    [ecs.send(new CreateServiceCommand({ cluster: 'svc-bad', serviceName: 'x', taskDefinition: 'web', schedulingStrategy: 'DAEMON', desiredCount: 2 })), 'InvalidParameterException', /daemon/],
    [ecs.send(new CreateServiceCommand({ cluster: 'svc-bad', serviceName: 'x', taskDefinition: 'web', deploymentConfiguration: { maximumPercent: 50 } })), 'InvalidParameterException', /maximumPercent/],
    [ecs.send(new CreateServiceCommand({ cluster: 'svc-bad', serviceName: 'x', taskDefinition: 'web', placementStrategy: [{ type: 'binpack', field: 'disk' }] })), 'InvalidParameterException', /binpack/],
    [ecs.send(new CreateServiceCommand({ cluster: 'svc-bad', serviceName: 'x', taskDefinition: 'web', placementConstraints: [{ type: 'memberOf', expression: 'attribute:a ==' }] })), 'InvalidParameterException', /Invalid expression/],
    [ecs.send(new UpdateServiceCommand({ cluster: 'svc-bad', service: 'missing', desiredCount: 1 })), 'ServiceNotFoundException', /Service not found/],
    [ecs.send(new DeleteServiceCommand({ cluster: 'svc-bad', service: 'missing' })), 'ServiceNotFoundException', /Service not found/],
    [ecs.send(new DescribeServicesCommand({ cluster: 'svc-bad', services: Array.from({ length: 11 }, (_, i) => `s${i}`) })), 'InvalidParameterException', /at most 10/],
    [ecs.send(new ListServicesCommand({ cluster: 'svc-bad', maxResults: 500 })), 'InvalidParameterException', /maxResults/],
  ];
  for (const [p, name, message] of bad) await t.rejects(p, { name, message });
  await ecs.send(new CreateServiceCommand({ cluster: 'svc-bad', serviceName: 'dup', taskDefinition: 'web', desiredCount: 0 }));
  await t.rejects(ecs.send(new CreateServiceCommand({ cluster: 'svc-bad', serviceName: 'dup', taskDefinition: 'web' })), {
    name: 'InvalidParameterException',
    message: 'Creation of service was not idempotent.',
  });
  const missing = await ecs.send(new DescribeServicesCommand({ cluster: 'svc-bad', services: ['x'] }));
  t.same(missing.failures, [{ arn: 'arn:aws:ecs:us-east-1:000000000000:service/svc-bad/x', reason: 'MISSING' }], 'no rejected service was stored');
  t.equal((await describeService(ecs, 'svc-bad', 'dup')).status, 'ACTIVE');
});
