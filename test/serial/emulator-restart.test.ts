/**
 * The control plane dies (SIGKILL) mid-run and comes back on the same port and data dir: state changes the
 * agent could not deliver meanwhile (two containers killed while it was down) are delivered after the
 * reconnect, nothing is lost, and ACS works again (a StopTask after the restart reaches the agent).
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { agentFor, ecsClient, removeContainersOfCluster, removeDir, tempDir, waitFor, WEB_CONTAINER } from '../kit/harness.js';
import { docker, freePort } from '../kit/docker.js';

async function emulatorProcess(port: number, dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('src/cli.ts'), 'emulator', '--port', String(port), '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', process.env['BERTH_TEST_LOG'] ? 'inherit' : 'ignore'],
    env: { ...process.env, BERTH_LOG_LEVEL: 'warn' },
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      if (c.toString().includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return child;
}

t.test('every state change the agent could not deliver while the emulator was dead is delivered after it restarts', async (t) => {
  const dir = tempDir('dur-emu');
  t.teardown(() => removeDir(dir));
  const port = await freePort();
  let emulator = await emulatorProcess(port, `${dir}/emulator`);
  t.teardown(() => emulator.kill('SIGKILL'));
  const url = `http://127.0.0.1:${port}`;
  const ecs = ecsClient(url);
  t.teardown(() => ecs.destroy());
  const cluster = `dur-emu-${process.pid}`;
  t.teardown(() => removeContainersOfCluster(cluster));
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const agent = await agentFor({
    cluster,
    backend: url,
    dataDir: `${dir}/agent`,
    portRange: '53400-53449',
    extra: { ECS_IMAGE_PULL_BEHAVIOR: 'prefer-cached', BERTH_INTROSPECTION_PORT: '0', BERTH_METADATA_PORT: '0', BERTH_LINK_LOCAL_ENDPOINT: 'false' },
  });
  t.teardown(() => agent.close());
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'dur-web', containerDefinitions: [WEB_CONTAINER] }));
  const arns = (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'dur-web', count: 3 }))).tasks!.map((x) => x.taskArn!);
  const describeAll = async (): Promise<Task[]> => (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? [];
  const tasks = await waitFor('all RUNNING', async () => {
    const all = await describeAll();
    return all.length === 3 && all.every((x) => x.lastStatus === 'RUNNING') ? all : undefined;
  }, 30_000);

  emulator.kill('SIGKILL');
  await new Promise((r) => emulator.once('exit', r));
  const killed = tasks.slice(0, 2).map((x) => x.containers![0]!.runtimeId!);
  for (const id of killed) docker('kill', id);
  await new Promise((r) => setTimeout(r, 3000)); // the agent notices and fails to report for a while

  emulator = await emulatorProcess(port, `${dir}/emulator`);
  const after = await waitFor('the two killed tasks STOPPED', async () => {
    const all = await describeAll();
    const stopped = all.filter((x) => x.lastStatus === 'STOPPED');
    return stopped.length === 2 ? all : undefined;
  }, 45_000);
  for (const task of after.filter((x) => x.lastStatus === 'STOPPED')) {
    t.ok(killed.includes(task.containers![0]!.runtimeId!), 'a killed one');
    t.equal(task.containers![0]!.exitCode, 137, 'with its exit code');
  }
  const survivor = after.find((x) => x.lastStatus === 'RUNNING')!;
  t.ok(survivor, 'the third task is still RUNNING');

  await ecs.send(new StopTaskCommand({ cluster, task: survivor.taskArn! }));
  const stopped = await waitFor('StopTask reaches the agent over the new ACS connection', async () => {
    const all = await describeAll();
    return all.every((x) => x.lastStatus === 'STOPPED') ? all : undefined;
  }, 30_000);
  t.equal(stopped.find((x) => x.taskArn === survivor.taskArn)?.containers?.[0]?.exitCode, 0);
});
