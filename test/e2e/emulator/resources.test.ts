import t from 'tap';
import {
  DescribeContainerInstancesCommand,
  RunTaskCommand,
  StopTaskCommand,
  SubmitTaskStateChangeCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { eventually, startTestEmulator, type Teardownable } from '../../kit/emulator.js';
import { FakeAgent } from '../../kit/fake-agent.js';
import { clusterWithInstance, webTaskDefinition } from '../../kit/emulator-fixtures.js';

async function remaining(ecs: ECSClient, cluster: string, instanceArn: string) {
  const d = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [instanceArn] }));
  const r = d.containerInstances![0]!.remainingResources!;
  return {
    cpu: r.find((x) => x.name === 'CPU')?.integerValue,
    memory: r.find((x) => x.name === 'MEMORY')?.integerValue,
    ports: r.find((x) => x.name === 'PORTS')?.stringSetValue,
    running: d.containerInstances![0]!.runningTasksCount,
    pending: d.containerInstances![0]!.pendingTasksCount,
  };
}

async function connectedCluster(t: Teardownable, memory: number) {
  const env = await startTestEmulator(t);
  const { cluster, instanceArn } = await clusterWithInstance(env.ecs, { memory });
  const agent = await FakeAgent.connect(env.emu.url, cluster, instanceArn);
  t.teardown(() => agent.close());
  await eventually(async () => {
    const d = await env.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [instanceArn] }));
    return d.containerInstances?.[0]?.agentConnected ? true : undefined;
  });
  return { ...env, cluster, instanceArn, agent };
}

t.test('a task count beyond the memory left places what fits and reports RESOURCE:MEMORY', async (t) => {
  const { ecs, cluster, instanceArn } = await connectedCluster(t, 300);
  await webTaskDefinition(ecs, { memory: 128 });
  const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'web', count: 3 }));
  t.equal(run.tasks?.length, 2);
  t.same(run.failures, [{ arn: instanceArn, reason: 'RESOURCE:MEMORY' }]);
  t.equal((await remaining(ecs, cluster, instanceArn)).memory, 300 - 256);
});

t.test('a static host port in use makes the next task fail with RESOURCE:PORTS', async (t) => {
  const { ecs, cluster, instanceArn } = await connectedCluster(t, 1024);
  await webTaskDefinition(ecs, { hostPort: 8080 });
  const first = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'web' }));
  t.equal(first.tasks?.length, 1);
  t.ok((await remaining(ecs, cluster, instanceArn)).ports?.includes('8080'), 'the port shows as taken');
  const second = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'web' }));
  t.same(second.tasks, []);
  t.same(second.failures, [{ arn: instanceArn, reason: 'RESOURCE:PORTS' }]);
  await webTaskDefinition(ecs, { family: 'reserved', hostPort: 22 });
  const reserved = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'reserved' }));
  t.same(reserved.failures, [{ arn: instanceArn, reason: 'RESOURCE:PORTS' }], 'registered reserved ports count');
});

t.test('resources come back when the task is STOPPED', async (t) => {
  const { ecs, cluster, instanceArn, agent } = await connectedCluster(t, 512);
  await webTaskDefinition(ecs, { memory: 200, hostPort: 8080 });
  const before = await remaining(ecs, cluster, instanceArn);
  const taskArn = (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'web' }))).tasks![0]!.taskArn!;
  agent.ack((await agent.nextPayload()).messageId);
  const during = await remaining(ecs, cluster, instanceArn);
  t.equal(during.memory, 312);
  t.equal(during.pending, 1);
  await ecs.send(new SubmitTaskStateChangeCommand({ cluster, task: taskArn, status: 'RUNNING', containers: [{ containerName: 'web', status: 'RUNNING' }] }));
  t.equal((await remaining(ecs, cluster, instanceArn)).running, 1);
  await ecs.send(new StopTaskCommand({ cluster, task: taskArn }));
  t.equal((await remaining(ecs, cluster, instanceArn)).memory, 312, 'held until the agent reports STOPPED');
  await ecs.send(new SubmitTaskStateChangeCommand({ cluster, task: taskArn, status: 'STOPPED', containers: [{ containerName: 'web', status: 'STOPPED', exitCode: 0 }] }));
  t.same(await remaining(ecs, cluster, instanceArn), before);
});

t.test('a task stopped before the agent got it is STOPPED at once and frees its resources', async (t) => {
  const { ecs, cluster, instanceArn } = await connectedCluster(t, 512);
  await webTaskDefinition(ecs, { memory: 200 });
  const before = await remaining(ecs, cluster, instanceArn);
  const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'web' }));
  // StopTask in the same tick as RunTask's delivery: the task may still be PROVISIONING.
  const stop = await ecs.send(new StopTaskCommand({ cluster, task: run.tasks![0]!.taskArn!, reason: 'changed my mind' }));
  t.equal(stop.task?.stoppedReason, 'changed my mind');
  t.equal(stop.task?.desiredStatus, 'STOPPED');
  if (stop.task?.lastStatus === 'STOPPED') t.same(await remaining(ecs, cluster, instanceArn), before);
  else t.equal(stop.task?.lastStatus, 'PENDING', 'it was delivered first, so the agent stops it');
});
