import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  CreateClusterCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { CREDENTIALS, ecsClient, emulatorOn, httpGet, REGION, removeContainersOfCluster, removeDir, tempDir, waitFor, WEB_CONTAINER } from '../kit/harness.js';
import { REPO } from '../kit/run-berth.js';

const TAG = 'berth/agent:ship-test';
const SOCKET = '/var/run/docker.sock';

t.test('the agent image builds here without a registry, and a container from it registers and runs a task', async (t) => {
  // scripts/build-image makes the base from this machine's node (docker import) once, then reuses cached layers.
  const started = Date.now();
  const build = spawnSync(path.join(REPO, 'scripts/build-image'), ['--tag', TAG], { encoding: 'utf8', timeout: 240_000 });
  t.equal(build.status, 0, build.status === 0 ? 'scripts/build-image succeeds' : build.stderr);
  t.comment(`image built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const config = JSON.parse(execFileSync('docker', ['image', 'inspect', '-f', '{{json .Config}}', TAG], { encoding: 'utf8' })) as {
    User: string;
    Entrypoint: string[];
    Healthcheck?: { Test: string[] };
  };
  t.equal(config.User, '10001', 'runs as a non-root user');
  t.same(config.Entrypoint, ['node', '/app/dist/cli.js']);
  t.same(config.Healthcheck?.Test, ['CMD', 'node', '/app/dist/cli.js', 'agent', '--healthcheck']);

  const dir = tempDir('ship-image');
  const cluster = `ship-image-${process.pid}`;
  const name = `ship-image-agent-${process.pid}`;
  const emulator = await emulatorOn(path.join(dir, 'emulator'));
  t.teardown(async () => {
    spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    await emulator.close();
    removeContainersOfCluster(cluster);
    removeDir(dir);
  });
  const ecs = ecsClient(emulator.url);
  t.teardown(() => ecs.destroy());
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'ship-image', containerDefinitions: [WEB_CONTAINER] }));

  // The data dir belongs to the image's user; the socket is reached through its group, as the Dockerfile says.
  const data = path.join(dir, 'data');
  mkdirSync(data, { mode: 0o700 });
  chownSync(data, 10001, 10001);
  const env = {
    ECS_CLUSTER: cluster,
    ECS_BACKEND_HOST: emulator.url,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    ECS_EXTERNAL: 'true',
    ECS_DYNAMIC_HOST_PORT_RANGE: '52300-52399',
    ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1s',
    ECS_CONTAINER_STOP_TIMEOUT: '5s',
    BERTH_INTROSPECTION_PORT: '0',
    BERTH_METADATA_PORT: '0',
  };
  execFileSync('docker', [
    'run', '-d', '--name', name, '--net', 'host',
    '--group-add', String(statSync(SOCKET).gid),
    '-v', `${SOCKET}:${SOCKET}`, '-v', `${data}:/data`,
    ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    TAG,
  ]);
  const logs = (): string => spawnSync('docker', ['logs', name], { encoding: 'utf8' }).stderr.slice(-2000);

  const arn = await waitFor('the containerised agent to register and connect', async () => {
    const list = await ecs.send(new ListContainerInstancesCommand({ cluster }));
    if (!list.containerInstanceArns?.length) return undefined;
    const d = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: list.containerInstanceArns }));
    return d.containerInstances?.[0]?.agentConnected ? d.containerInstances[0].containerInstanceArn : undefined;
  }, 30_000).catch((err: Error) => {
    throw new Error(`${err.message}\nagent logs:\n${logs()}`);
  });
  t.match(arn, /container-instance/);

  const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'ship-image' }));
  const taskArn = run.tasks?.[0]?.taskArn;
  if (!taskArn) throw new Error(`RunTask placed nothing: ${JSON.stringify(run.failures)}`);
  const describe = async (): Promise<Task | undefined> => (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks?.[0];
  const running = await waitFor('task RUNNING', async () => {
    const task = await describe();
    return task?.lastStatus === 'RUNNING' ? task : undefined;
  }, 20_000).catch((err: Error) => {
    throw new Error(`${err.message}\nagent logs:\n${logs()}`);
  });
  const hostPort = running.containers?.[0]?.networkBindings?.[0]?.hostPort;
  t.ok(hostPort !== undefined && hostPort >= 52300 && hostPort <= 52399, 'host port from the dynamic range');
  t.equal(await httpGet(hostPort!), 'hello from berth\n', 'the task answers');

  await ecs.send(new StopTaskCommand({ cluster, task: taskArn }));
  await waitFor('task STOPPED', async () => ((await describe())?.lastStatus === 'STOPPED' ? true : undefined), 20_000);
  t.equal(execFileSync('docker', ['inspect', '-f', '{{.State.Running}}', name], { encoding: 'utf8' }).trim(), 'true', 'the agent container keeps running');
});
