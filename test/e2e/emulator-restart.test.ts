import t from 'tap';
import {
  CreateClusterCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import {
  agentFor,
  ecsClient,
  emulatorOn,
  removeContainersOfCluster,
  removeDir,
  tempDir,
  waitFor,
  WEB_CONTAINER,
} from '../kit/harness.js';
import type { Emulator } from '../../src/emulator/index.js';

t.test('an emulator restarted on the same data dir keeps everything and the agent reconnects by itself', async (t) => {
  const dir = tempDir('e2e-emu-restart');
  const cluster = `e2e-emu-restart-${process.pid}`;
  let emulator: Emulator = await emulatorOn(`${dir}/emulator`);
  let ecs: ECSClient = ecsClient(emulator.url);
  t.teardown(async () => {
    ecs.destroy();
    await emulator.close();
    removeContainersOfCluster(cluster);
    removeDir(dir);
  });
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const agent = await agentFor({ cluster, backend: emulator.url, dataDir: `${dir}/agent`, portRange: '43000-43999' });
  t.teardown(() => agent.close());
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'emu-restart', containerDefinitions: [WEB_CONTAINER] }));
  const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'emu-restart' }));
  const taskArn = run.tasks?.[0]?.taskArn ?? '';
  const task = async () => (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks?.[0];
  await waitFor('RUNNING', async () => ((await task())?.lastStatus === 'RUNNING' ? true : undefined));

  const port = emulator.port;
  await emulator.close();
  ecs.destroy();
  emulator = await emulatorOn(`${dir}/emulator`, port);
  ecs = ecsClient(emulator.url);

  const clusters = await ecs.send(new DescribeClustersCommand({ clusters: [cluster] }));
  t.equal(clusters.clusters?.[0]?.clusterName, cluster, 'cluster survives');
  const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'emu-restart' }));
  t.equal(td.taskDefinition?.containerDefinitions?.[0]?.image, WEB_CONTAINER.image, 'task definition survives');
  const instances = await ecs.send(new ListContainerInstancesCommand({ cluster }));
  t.same(instances.containerInstanceArns, [agent.containerInstanceArn], 'container instance survives');
  const survived = await task();
  t.equal(survived?.lastStatus, 'RUNNING', 'task survives with its status');
  t.ok(survived?.containers?.[0]?.networkBindings?.length, 'network bindings survive');

  await waitFor('agent reconnected', async () => {
    const d = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster, containerInstances: [agent.containerInstanceArn] }),
    );
    return d.containerInstances?.[0]?.agentConnected ? true : undefined;
  });
  await ecs.send(new StopTaskCommand({ cluster, task: taskArn }));
  await waitFor('STOPPED over the new session', async () => ((await task())?.lastStatus === 'STOPPED' ? true : undefined));
  t.pass('the reconnected agent receives and executes the stop');
});
