import t from 'tap';
import { execFileSync } from 'node:child_process';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import {
  agentFor,
  containersOfTask,
  ecsClient,
  emulatorOn,
  httpGet,
  removeContainersOfCluster,
  removeDir,
  tempDir,
  waitFor,
  WEB_CONTAINER,
} from '../kit/harness.js';

t.test('an agent restarted while a task runs keeps its instance ARN and adopts the running container', async (t) => {
  const dir = tempDir('e2e-agent-restart');
  const cluster = `e2e-agent-restart-${process.pid}`;
  const emulator = await emulatorOn(`${dir}/emulator`);
  const ecs = ecsClient(emulator.url);
  t.teardown(async () => {
    ecs.destroy();
    await emulator.close();
    removeContainersOfCluster(cluster);
    removeDir(dir);
  });
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const agentEnv = { cluster, backend: emulator.url, dataDir: `${dir}/agent`, portRange: '42000-42999' };

  const first = await agentFor(agentEnv);
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'restart-web', containerDefinitions: [WEB_CONTAINER] }));
  const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'restart-web' }));
  const taskArn = run.tasks?.[0]?.taskArn ?? '';
  const lastStatus = async (): Promise<string | undefined> =>
    (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks?.[0]?.lastStatus;
  await waitFor('RUNNING', async () => ((await lastStatus()) === 'RUNNING' ? true : undefined));
  const [containerId] = containersOfTask(taskArn);

  await first.close();
  t.equal(await first.done, 0, 'a graceful close exits 0');
  const state = execFileSync('docker', ['inspect', '-f', '{{.State.Running}}', containerId!], { encoding: 'utf8' }).trim();
  t.equal(state, 'true', 'closing the agent leaves the container running');

  const second = await agentFor(agentEnv);
  t.teardown(() => second.close());
  t.equal(second.containerInstanceArn, first.containerInstanceArn, 'same container instance ARN');

  // Give the new agent time to reconcile, then check nothing was created or restarted.
  await new Promise((r) => setTimeout(r, 1500));
  t.equal(await lastStatus(), 'RUNNING', 'the task is still RUNNING');
  t.same(containersOfTask(taskArn), [containerId], 'no second container');
  const port = Number(
    execFileSync('docker', ['port', containerId!, '8080/tcp'], { encoding: 'utf8' }).split('\n')[0]!.split(':').pop(),
  );
  t.equal(await httpGet(port), 'hello from berth\n', 'the service keeps answering');

  await ecs.send(new StopTaskCommand({ cluster, task: taskArn }));
  await waitFor('STOPPED via the restarted agent', async () => ((await lastStatus()) === 'STOPPED' ? true : undefined));
  t.pass('the restarted agent stops the adopted task');
});
