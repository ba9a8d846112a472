import t from 'tap';
import {
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  RunTaskCommand,
  SubmitTaskStateChangeCommand,
} from '@aws-sdk/client-ecs';
import { eventually, startTestEmulator, tempDataDir } from '../../kit/emulator.js';
import { FakeAgent } from '../../kit/fake-agent.js';
import { clusterWithInstance, webTaskDefinition } from '../../kit/emulator-fixtures.js';

t.test('a restarted emulator on the same dataDir keeps everything and continues the seqNum', async (t) => {
  const dataDir = tempDataDir(t);
  const first = await startTestEmulator(t, { dataDir });
  const { cluster, instanceArn } = await clusterWithInstance(first.ecs, { memory: 512 });
  await webTaskDefinition(first.ecs, { memory: 100 });
  const agent = await FakeAgent.connect(first.emu.url, cluster, instanceArn);
  const running = (await eventually(async () => (await first.ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'web' }))).tasks?.[0]))!;
  const pending = (await first.ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'web' }))).tasks![0]!;
  await agent.nextPayload();
  const last = await agent.nextPayload();
  await first.ecs.send(
    new SubmitTaskStateChangeCommand({ cluster, task: running.taskArn, status: 'RUNNING', containers: [{ containerName: 'web', status: 'RUNNING' }] }),
  );
  await first.emu.close();
  await eventually(() => (agent.closedWith !== undefined ? true : undefined));
  t.equal(agent.closedWith, 1001, 'the agent got a close frame (going away)');

  const second = await startTestEmulator(t, { dataDir });
  const ecs = second.ecs;
  t.equal((await ecs.send(new DescribeClustersCommand({ clusters: [cluster] }))).clusters?.[0]?.registeredContainerInstancesCount, 1);
  t.equal((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }))).taskDefinition?.revision, 1);
  const inst = (await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [instanceArn] }))).containerInstances![0]!;
  t.equal(inst.agentConnected, false, 'no agent is connected to a fresh process');
  t.equal(inst.remainingResources?.find((r) => r.name === 'MEMORY')?.integerValue, 312, 'reservations survive');
  const tasks = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [running.taskArn!, pending.taskArn!] }))).tasks!;
  t.same(tasks.map((x) => x.lastStatus), ['RUNNING', 'PENDING']);

  const back = await FakeAgent.connect(second.emu.url, cluster, instanceArn);
  t.teardown(() => back.close());
  const resync = await back.nextPayload();
  t.ok(resync.seqNum! > last.seqNum!, `seqNum continues (${last.seqNum} -> ${resync.seqNum})`);
  t.same(resync.tasks?.map((x) => x.arn).sort(), [running.taskArn, pending.taskArn].sort(), 'desired state is resent');
});
