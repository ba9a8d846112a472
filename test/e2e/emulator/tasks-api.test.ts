import t from 'tap';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StartTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { startTestEmulator } from '../../kit/emulator.js';
import { webTaskDefinition } from '../../kit/emulator-fixtures.js';
import { connectedInstance, settle } from '../../kit/emulator-services.js';

t.test('RunTask overrides, startedBy, group and tags reach the task and the agent', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  await ecs.send(new CreateClusterCommand({ clusterName: 'svc-run' }));
  const { agent } = await connectedInstance(t, emu.url, ecs, 'svc-run');
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64, command: ['httpd'], environment: [{ name: 'A', value: '1' }] }],
      tags: [{ key: 'from', value: 'td' }],
    }),
  );
  const run = await ecs.send(
    new RunTaskCommand({
      cluster: 'svc-run',
      taskDefinition: 'web',
      startedBy: 'ci',
      group: 'batch',
      overrides: {
        containerOverrides: [{ name: 'web', command: ['sleep', '5'], environment: [{ name: 'B', value: '2' }], cpu: 128, memory: 96 }],
        cpu: '256',
        memory: '200',
      },
      tags: [{ key: 'run', value: 'x' }],
      propagateTags: 'TASK_DEFINITION',
    }),
  );
  const task = run.tasks![0]!;
  t.equal(task.startedBy, 'ci');
  t.equal(task.group, 'batch');
  t.equal(task.cpu, '256');
  t.equal(task.memory, '200');
  t.same(task.overrides?.containerOverrides?.[0]?.command, ['sleep', '5']);
  t.same(task.tags, [{ key: 'from', value: 'td' }, { key: 'run', value: 'x' }], 'propagated TASK_DEFINITION tags plus the call tags');
  const payload = await agent.nextPayload();
  const c = payload.tasks![0]!.containers![0]!;
  t.same(c.command, ['sleep', '5']);
  t.same(c.environment, { A: '1', B: '2' });
  t.equal(c.cpu, 128);
  t.equal(c.memory, 96);
  t.equal(payload.tasks![0]!.memory, 200);
  const plain = await ecs.send(new DescribeTasksCommand({ cluster: 'svc-run', tasks: [task.taskArn!] }));
  t.equal(plain.tasks?.[0]?.tags, undefined, 'tags only with include TAGS');
  const tagged = await ecs.send(new DescribeTasksCommand({ cluster: 'svc-run', tasks: [task.taskArn!], include: ['TAGS'] }));
  t.same(tagged.tasks?.[0]?.tags?.map((x) => x.key), ['from', 'run']);
  const stopped = await ecs.send(new StopTaskCommand({ cluster: 'svc-run', task: task.taskArn!, reason: 'done here' }));
  t.equal(stopped.task?.stoppedReason, 'done here');
  t.equal(stopped.task?.desiredStatus, 'STOPPED');
});

t.test('RunTask placement: binpack fills one instance, distinctInstance spreads them', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  await ecs.send(new CreateClusterCommand({ clusterName: 'svc-place' }));
  await connectedInstance(t, emu.url, ecs, 'svc-place');
  await connectedInstance(t, emu.url, ecs, 'svc-place');
  await webTaskDefinition(ecs);
  const packed = await ecs.send(new RunTaskCommand({ cluster: 'svc-place', taskDefinition: 'web', count: 4, placementStrategy: [{ type: 'binpack', field: 'memory' }] }));
  t.equal(new Set(packed.tasks?.map((x) => x.containerInstanceArn)).size, 1, 'binpack keeps them on one instance');
  const distinct = await ecs.send(
    new RunTaskCommand({ cluster: 'svc-place', taskDefinition: 'web', count: 3, group: 'one-each', placementConstraints: [{ type: 'distinctInstance' }] }),
  );
  t.equal(distinct.tasks?.length, 2);
  t.equal(new Set(distinct.tasks?.map((x) => x.containerInstanceArn)).size, 2);
  t.same(distinct.failures?.map((f) => f.reason), ['DISTINCT_INSTANCE', 'DISTINCT_INSTANCE']);
});

t.test('StartTask runs one task on each named instance', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  await ecs.send(new CreateClusterCommand({ clusterName: 'svc-start' }));
  const a = await connectedInstance(t, emu.url, ecs, 'svc-start');
  const b = await connectedInstance(t, emu.url, ecs, 'svc-start', [], 32);
  await webTaskDefinition(ecs);
  const out = await ecs.send(new StartTaskCommand({ cluster: 'svc-start', taskDefinition: 'web', containerInstances: [a.arn, b.arn], startedBy: 'me' }));
  t.same(out.tasks?.map((x) => x.containerInstanceArn), [a.arn]);
  t.same(out.failures, [{ arn: b.arn, reason: 'RESOURCE:MEMORY' }], 'the too-small instance is a failure, not an error');
  await t.rejects(ecs.send(new StartTaskCommand({ cluster: 'svc-start', taskDefinition: 'web', containerInstances: ['nope'] })), {
    name: 'InvalidParameterException',
    message: /not found/,
  });
  await t.rejects(ecs.send(new StartTaskCommand({ cluster: 'svc-start', taskDefinition: 'web', containerInstances: [] })), { name: 'InvalidParameterException' });
});

t.test('ListTasks filters by family, service, desired status, instance, startedBy and launch type, and pages', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  await ecs.send(new CreateClusterCommand({ clusterName: 'svc-list' }));
  const a = await connectedInstance(t, emu.url, ecs, 'svc-list');
  await webTaskDefinition(ecs, { family: 'web' });
  await webTaskDefinition(ecs, { family: 'job' });
  const webs = await ecs.send(new RunTaskCommand({ cluster: 'svc-list', taskDefinition: 'web', count: 3, startedBy: 'me' }));
  await ecs.send(new RunTaskCommand({ cluster: 'svc-list', taskDefinition: 'job' }));
  await ecs.send(new CreateServiceCommand({ cluster: 'svc-list', serviceName: 'api', taskDefinition: 'job', desiredCount: 2 }));
  await settle(emu.url, ecs, 'svc-list', 'api', (s) => s.runningCount === 2);
  await ecs.send(new StopTaskCommand({ cluster: 'svc-list', task: webs.tasks![0]!.taskArn! }));
  const list = async (input: Omit<ConstructorParameters<typeof ListTasksCommand>[0], 'cluster'>) =>
    (await ecs.send(new ListTasksCommand({ cluster: 'svc-list', ...input }))).taskArns ?? [];
  t.equal((await list({})).length, 5, '2 web + 1 job + 2 service tasks desired RUNNING');
  t.equal((await list({ family: 'web' })).length, 2);
  t.equal((await list({ serviceName: 'api' })).length, 2);
  t.equal((await list({ desiredStatus: 'STOPPED' })).length, 1);
  t.equal((await list({ startedBy: 'me' })).length, 2);
  t.equal((await list({ containerInstance: a.arn })).length, 5);
  t.equal((await list({ launchType: 'FARGATE' })).length, 0);
  t.equal((await list({ launchType: 'EC2' })).length, 5);
  const page1 = await ecs.send(new ListTasksCommand({ cluster: 'svc-list', maxResults: 3 }));
  const page2 = await ecs.send(new ListTasksCommand({ cluster: 'svc-list', maxResults: 3, nextToken: page1.nextToken }));
  t.equal(page1.taskArns?.length, 3);
  t.equal(page2.taskArns?.length, 2);
  t.equal(page2.nextToken, undefined);
  await t.rejects(ecs.send(new ListTasksCommand({ cluster: 'svc-list', nextToken: 'garbage' })), { name: 'InvalidParameterException', message: 'Invalid nextToken.' });
  await t.rejects(ecs.send(new ListTasksCommand({ cluster: 'svc-list', desiredStatus: 'DONE' as never })), { name: 'InvalidParameterException' });
});

t.test('RunTask rejects bad overrides, tags and placement without storing a task', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  await ecs.send(new CreateClusterCommand({ clusterName: 'svc-runbad' }));
  await connectedInstance(t, emu.url, ecs, 'svc-runbad');
  await webTaskDefinition(ecs);
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ overrides: { containerOverrides: [{ name: 'nope' }] } }, /Override for container named nope/],
    [{ overrides: { cpu: 'lots' } }, /Invalid 'cpu'/],
    [{ overrides: { containerOverrides: [{ name: 'web', memory: -1 }] } }, /non-negative integer/],
    [{ tags: [{ key: 'aws:x', value: 'y' }] }, /reserved/],
    [{ propagateTags: 'SERVICE' }, /SERVICE/],
    [{ placementStrategy: [{ type: 'spread', field: 'rack' }] }, /Invalid spread field/],
    [{ placementConstraints: [{ type: 'memberOf', expression: 'attribute:x in [a' }] }, /Invalid expression/],
    [{ startedBy: 'x'.repeat(129) }, /startedBy/],
  ];
  for (const [extra, message] of bad) {
    await t.rejects(ecs.send(new RunTaskCommand({ cluster: 'svc-runbad', taskDefinition: 'web', ...extra })), { name: 'InvalidParameterException', message });
  }
  t.same((await ecs.send(new ListTasksCommand({ cluster: 'svc-runbad' }))).taskArns, [], 'no task was stored');
});
