import t from 'tap';
import {
  CreateClusterCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListClustersCommand,
  ListTasksCommand,
  RegisterContainerInstanceCommand,
  RunTaskCommand,
  StopTaskCommand,
  SubmitTaskStateChangeCommand,
} from '@aws-sdk/client-ecs';
import { haveModels, loadModel, validateShape } from '../../kit/models.js';
import { eventually, startTestEmulator, totalResources } from '../../kit/emulator.js';
import { FakeAgent } from '../../kit/fake-agent.js';
import { AGENT_ATTRIBUTES, clusterWithInstance, webTaskDefinition } from '../../kit/emulator-fixtures.js';

t.test('clusters can be created, listed and described', async (t) => {
  const { ecs } = await startTestEmulator(t);
  const created = await ecs.send(new CreateClusterCommand({ clusterName: 'alpha' }));
  t.equal(created.cluster?.clusterArn, 'arn:aws:ecs:us-east-1:000000000000:cluster/alpha');
  t.equal(created.cluster?.status, 'ACTIVE');
  const again = await ecs.send(new CreateClusterCommand({ clusterName: 'alpha' }));
  t.equal(again.cluster?.clusterArn, created.cluster?.clusterArn, 'CreateCluster is idempotent');
  await ecs.send(new CreateClusterCommand({}));
  const listed = await ecs.send(new ListClustersCommand({}));
  t.same(listed.clusterArns?.sort(), [created.cluster?.clusterArn, 'arn:aws:ecs:us-east-1:000000000000:cluster/default'].sort());
  const described = await ecs.send(new DescribeClustersCommand({ clusters: ['alpha', created.cluster!.clusterArn!, 'nope'] }));
  t.equal(described.clusters?.length, 2, 'name and ARN both resolve');
  t.equal(described.clusters?.[0]?.registeredContainerInstancesCount, 0);
  t.same(described.failures, [{ arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/nope', reason: 'MISSING' }]);
});

t.test('task definitions get revisions and can be described by family or ARN', async (t) => {
  const { ecs } = await startTestEmulator(t);
  const first = await webTaskDefinition(ecs);
  const second = await webTaskDefinition(ecs, { memory: 128 });
  t.equal(first, 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1');
  t.equal(second, 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:2');
  const byFamily = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }));
  t.equal(byFamily.taskDefinition?.revision, 2, 'a bare family means the latest revision');
  t.equal(byFamily.taskDefinition?.containerDefinitions?.[0]?.memory, 128);
  t.same(byFamily.taskDefinition?.containerDefinitions?.[0]?.environment, [{ name: 'A', value: '1' }]);
  const byArn = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: first }));
  t.equal(byArn.taskDefinition?.revision, 1);
  t.equal(byArn.taskDefinition?.networkMode, 'bridge');
  const byRev = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web:1' }));
  t.equal(byRev.taskDefinition?.taskDefinitionArn, first);
});

t.test('a container instance gets its attributes echoed plus an availability zone, and keeps a given ARN', async (t) => {
  const { ecs } = await startTestEmulator(t);
  const { cluster, instanceArn } = await clusterWithInstance(ecs);
  t.match(instanceArn, /^arn:aws:ecs:us-east-1:000000000000:container-instance\/test\/[0-9a-f]{32}$/);
  const again = await ecs.send(
    new RegisterContainerInstanceCommand({
      cluster,
      containerInstanceArn: instanceArn,
      totalResources: totalResources(2048),
      attributes: AGENT_ATTRIBUTES,
    }),
  );
  const ci = again.containerInstance!;
  t.equal(ci.containerInstanceArn, instanceArn, 'the given ARN is reused');
  t.same(ci.attributes, [...AGENT_ATTRIBUTES, { name: 'ecs.availability-zone', value: 'us-east-1a' }]);
  t.same(ci.remainingResources, ci.registeredResources);
  t.equal(ci.registeredResources?.find((r) => r.name === 'MEMORY')?.integerValue, 2048, 'resources are refreshed');
  t.equal(ci.status, 'ACTIVE');
  t.equal(ci.agentConnected, false);
  t.match(ci.ec2InstanceId, /^mi-/);
  t.type(ci.registeredAt, Date);
  const clusters = await ecs.send(new DescribeClustersCommand({ clusters: [cluster] }));
  t.equal(clusters.clusters?.[0]?.registeredContainerInstancesCount, 1, 're-registration does not add an instance');
});

t.test('a task runs through a connected agent, reports RUNNING and is stopped by the user', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  const { cluster, instanceArn } = await clusterWithInstance(ecs);
  const tdArn = await webTaskDefinition(ecs);

  const noAgent = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'web' }));
  t.same(noAgent.tasks, []);
  t.same(noAgent.failures, [{ arn: instanceArn, reason: 'AGENT' }], 'a disconnected agent cannot take tasks');

  const agent = await FakeAgent.connect(emu.url, cluster, instanceArn);
  t.teardown(() => agent.close());
  await eventually(async () => {
    const d = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [instanceArn] }));
    return d.containerInstances?.[0]?.agentConnected ? true : undefined;
  });

  const run = await ecs.send(
    new RunTaskCommand({
      cluster,
      taskDefinition: 'web',
      startedBy: 'tester',
      overrides: { containerOverrides: [{ name: 'web', command: ['sleep', '60'], environment: [{ name: 'B', value: '2' }] }] },
    }),
  );
  t.same(run.failures, []);
  const task = run.tasks![0]!;
  const taskArn = task.taskArn!;
  t.match(taskArn, /^arn:aws:ecs:us-east-1:000000000000:task\/test\/[0-9a-f]{32}$/);
  t.equal(task.lastStatus, 'PROVISIONING');
  t.equal(task.desiredStatus, 'RUNNING');
  t.equal(task.taskDefinitionArn, tdArn);
  t.match(task.containers?.[0]?.containerArn, /^arn:aws:ecs:us-east-1:000000000000:container\/test\/[0-9a-f]{32}\/[0-9a-f-]{36}$/);

  const payload = await agent.nextPayload();
  if (haveModels) t.same(validateShape(loadModel('acs-api-2.json'), 'PayloadMessage', payload), [], 'PayloadMessage conforms');
  t.equal(payload.clusterArn, 'arn:aws:ecs:us-east-1:000000000000:cluster/test');
  t.equal(payload.containerInstanceArn, instanceArn);
  const acsTask = payload.tasks![0]!;
  t.equal(acsTask.arn, taskArn);
  t.equal(acsTask.version, '1');
  t.equal(acsTask.desiredStatus, 'RUNNING');
  t.same(acsTask.containers?.[0]?.command, ['sleep', '60'], 'the command override is applied');
  t.same(acsTask.containers?.[0]?.environment, { A: '1', B: '2' }, 'environment is a map with overrides');
  t.same(acsTask.containers?.[0]?.portMappings, [{ protocol: 'tcp', containerPort: 8080, hostPort: 0 }]);
  agent.ack(payload.messageId);

  const bindings = [{ bindIP: '0.0.0.0', containerPort: 8080, hostPort: 32768, protocol: 'tcp' as const }];
  await ecs.send(
    new SubmitTaskStateChangeCommand({
      cluster,
      task: taskArn,
      status: 'RUNNING',
      reason: '',
      containers: [{ containerName: 'web', status: 'RUNNING', runtimeId: 'abc123', networkBindings: bindings }],
    }),
  );
  const running = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks![0]!;
  t.equal(running.lastStatus, 'RUNNING');
  t.same(running.containers?.[0]?.networkBindings, bindings);
  t.equal(running.containers?.[0]?.runtimeId, 'abc123');
  t.type(running.startedAt, Date);
  const listed = await ecs.send(new ListTasksCommand({ cluster, startedBy: 'tester' }));
  t.same(listed.taskArns, [taskArn]);

  const stop = await ecs.send(new StopTaskCommand({ cluster, task: taskArn }));
  t.equal(stop.task?.desiredStatus, 'STOPPED');
  const stopPayload = await agent.nextPayload();
  t.ok(stopPayload.seqNum! > payload.seqNum!, 'seqNum increases');
  t.not(stopPayload.messageId, payload.messageId, 'messageIds are unique');
  t.equal(stopPayload.tasks?.[0]?.desiredStatus, 'STOPPED');
  agent.ack(stopPayload.messageId);

  await ecs.send(
    new SubmitTaskStateChangeCommand({
      cluster,
      task: taskArn,
      status: 'STOPPED',
      reason: '',
      executionStoppedAt: new Date(),
      containers: [{ containerName: 'web', status: 'STOPPED', exitCode: 137 }],
    }),
  );
  const stopped = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn, 'ffffffffffffffffffffffffffffffff'] })));
  t.equal(stopped.tasks?.[0]?.lastStatus, 'STOPPED');
  t.equal(stopped.tasks?.[0]?.stoppedReason, 'Task stopped by user');
  t.equal(stopped.tasks?.[0]?.stopCode, 'UserInitiated');
  t.equal(stopped.tasks?.[0]?.containers?.[0]?.exitCode, 137);
  t.type(stopped.tasks?.[0]?.stoppedAt, Date);
  t.same(stopped.failures, [{ arn: 'arn:aws:ecs:us-east-1:000000000000:task/test/ffffffffffffffffffffffffffffffff', reason: 'MISSING' }]);
  t.same((await ecs.send(new ListTasksCommand({ cluster }))).taskArns, [], 'a stopped task is no longer listed as RUNNING');
  t.same((await ecs.send(new ListTasksCommand({ cluster, desiredStatus: 'STOPPED' }))).taskArns, [taskArn]);
});

t.test('a task whose essential container exits is stopped with EssentialContainerExited', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  const { cluster, instanceArn } = await clusterWithInstance(ecs);
  await webTaskDefinition(ecs);
  const agent = await FakeAgent.connect(emu.url, cluster, instanceArn);
  t.teardown(() => agent.close());
  const taskArn = await eventually(async () => {
    const r = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'web' }));
    return r.tasks?.[0]?.taskArn;
  });
  agent.ack((await agent.nextPayload()).messageId);
  const report = (status: 'RUNNING' | 'STOPPED', exitCode?: number) =>
    ecs.send(new SubmitTaskStateChangeCommand({ cluster, task: taskArn, status, reason: '', containers: [{ containerName: 'web', status, exitCode }] }));
  await report('RUNNING');
  await report('STOPPED', 1);
  await report('RUNNING'); // a stale duplicate must not move the task backwards
  const task = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks![0]!;
  t.equal(task.lastStatus, 'STOPPED');
  t.equal(task.desiredStatus, 'STOPPED');
  t.equal(task.stoppedReason, 'Essential container in task exited');
  t.equal(task.stopCode, 'EssentialContainerExited');
});

t.test('a task that never started is stopped with the agent reason and TaskFailedToStart', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  const { cluster, instanceArn } = await clusterWithInstance(ecs);
  await webTaskDefinition(ecs);
  const agent = await FakeAgent.connect(emu.url, cluster, instanceArn);
  t.teardown(() => agent.close());
  const taskArn = await eventually(async () => (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'web' }))).tasks?.[0]?.taskArn);
  await agent.nextPayload();
  const reason = 'UnrecogniedTaskError: Error loading task';
  await ecs.send(new SubmitTaskStateChangeCommand({ cluster, task: taskArn, status: 'STOPPED', reason, containers: [] }));
  const task = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks![0]!;
  t.equal(task.stopCode, 'TaskFailedToStart');
  t.equal(task.stoppedReason, reason);
});
