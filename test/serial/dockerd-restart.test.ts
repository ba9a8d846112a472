/**
 * Docker restarted under running tasks. A private dockerd with --live-restore (see ./private-dockerd.ts; the
 * host's dockerd is never touched): containers survive the daemon, one is killed while the daemon is down.
 * Within 10 s of Docker answering again the agent has reopened its event stream, noticed the dead container
 * and reported it STOPPED with its exit code; the other task is still RUNNING and can be stopped as usual.
 */
import t from 'tap';
import { CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { agentFor, ecsClient, emulatorOn, removeDir, tempDir, waitFor, WEB_CONTAINER } from '../kit/harness.js';
import { containerPids, startPrivateDockerd } from '../kit/private-dockerd.js';

t.test('after a dockerd restart the agent reports a container killed meanwhile as STOPPED with its exit code within 10 s', async (t) => {
  const dockerd = await startPrivateDockerd();
  t.teardown(() => dockerd.destroy());
  const dir = tempDir('dur-dockerd');
  t.teardown(() => removeDir(dir));
  const emulator = await emulatorOn(`${dir}/emulator`);
  t.teardown(() => emulator.close());
  const ecs = ecsClient(emulator.url);
  t.teardown(() => ecs.destroy());
  const cluster = `dur-dockerd-${process.pid}`;
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const agent = await agentFor({
    cluster,
    backend: emulator.url,
    dataDir: `${dir}/agent`,
    portRange: '53300-53349',
    extra: {
      DOCKER_HOST: dockerd.host,
      ECS_IMAGE_PULL_BEHAVIOR: 'prefer-cached',
      BERTH_INTROSPECTION_PORT: '0',
      BERTH_METADATA_PORT: '0',
      BERTH_LINK_LOCAL_ENDPOINT: 'false',
      BERTH_RELIST_INTERVAL: '30s',
    },
  });
  t.teardown(() => agent.close());
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'dur-web', containerDefinitions: [WEB_CONTAINER] }));
  const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'dur-web', count: 2 }));
  const [victim, survivor] = run.tasks!.map((x) => x.taskArn!);
  const describe = async (arn: string): Promise<Task | undefined> => (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks?.[0];
  const status = (arn: string, want: string) => async () => {
    const task = await describe(arn);
    return task?.lastStatus === want ? task : undefined;
  };
  await waitFor('both RUNNING', async () => ((await status(victim!, 'RUNNING')()) && (await status(survivor!, 'RUNNING')()) ? true : undefined), 20_000);
  const victimId = (await describe(victim!))!.containers![0]!.runtimeId!;

  await dockerd.stop();
  const pids = containerPids(victimId);
  t.ok(pids.length > 0, 'the container outlived its daemon (live-restore)');
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch (err) {
      // Killing the container's first process can take the others with it before their turn.
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  await new Promise((r) => setTimeout(r, 2000)); // Docker stays down a little while
  t.equal((await describe(victim!))?.lastStatus, 'RUNNING', 'nothing is known while Docker is down');

  await dockerd.start();
  const back = Date.now();
  const stopped = await waitFor('victim STOPPED', status(victim!, 'STOPPED'), 10_000);
  const latency = Date.now() - back;
  t.comment(`STOPPED reported ${latency} ms after Docker answered again`);
  t.ok(latency <= 10_000);
  t.equal(stopped.containers?.[0]?.exitCode, 137, 'with the exit code of the kill');
  t.equal((await describe(survivor!))?.lastStatus, 'RUNNING', 'the other task is untouched');

  await ecs.send(new StopTaskCommand({ cluster, task: survivor! }));
  const s2 = await waitFor('survivor STOPPED', status(survivor!, 'STOPPED'), 15_000);
  t.equal(s2.containers?.[0]?.exitCode, 0, 'and the agent drives Docker normally again');
});
