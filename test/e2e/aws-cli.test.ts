import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { haveAwsCli } from '../kit/aws-cli.js';
import {
  agentFor,
  CREDENTIALS,
  containersOfTask,
  emulatorOn,
  httpGet,
  REGION,
  removeContainersOfCluster,
  removeDir,
  tempDir,
  waitFor,
  WEB_CONTAINER,
} from '../kit/harness.js';

const run = promisify(execFile);


t.test('the same scenario through the aws CLI', { skip: haveAwsCli() ? false : 'aws CLI not on PATH' }, async (t) => {
  const dir = tempDir('e2e-cli');
  const cluster = `e2e-cli-${process.pid}`;
  const emulator = await emulatorOn(`${dir}/emulator`);
  t.teardown(async () => {
    await emulator.close();
    removeContainersOfCluster(cluster);
    removeDir(dir);
  });
  // The CLI runs asynchronously: the emulator lives in this process and must keep serving.
  const aws = async (...args: string[]): Promise<Record<string, unknown>> => {
    const { stdout } = await run('aws', ['--endpoint-url', emulator.url, '--output', 'json', 'ecs', ...args], {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_DEFAULT_REGION: REGION,
        AWS_PAGER: '',
      },
    });
    return stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {};
  };

  await aws('create-cluster', '--cluster-name', cluster);
  const agent = await agentFor({ cluster, backend: emulator.url, dataDir: `${dir}/agent`, portRange: '44000-44999' });
  t.teardown(() => agent.close());
  await aws('register-task-definition', '--family', 'cli-web', '--container-definitions', JSON.stringify([WEB_CONTAINER]));
  const ran = (await aws('run-task', '--cluster', cluster, '--task-definition', 'cli-web')) as {
    tasks: { taskArn: string }[];
  };
  const taskArn = ran.tasks[0]!.taskArn;
  type Described = { tasks: { lastStatus: string; stoppedReason?: string; containers: { exitCode?: number; networkBindings?: { hostPort: number }[] }[] }[] };
  const describe = async () => ((await aws('describe-tasks', '--cluster', cluster, '--tasks', taskArn)) as Described).tasks[0];

  const running = await waitFor('RUNNING', async () => {
    const task = await describe();
    return task?.lastStatus === 'RUNNING' ? task : undefined;
  }, 10_000);
  const hostPort = running.containers[0]!.networkBindings![0]!.hostPort;
  t.equal(await httpGet(hostPort), 'hello from berth\n');

  await aws('stop-task', '--cluster', cluster, '--task', taskArn);
  const stopped = await waitFor('STOPPED', async () => {
    const task = await describe();
    return task?.lastStatus === 'STOPPED' ? task : undefined;
  });
  t.equal(stopped.stoppedReason, 'Task stopped by user');
  t.equal(stopped.containers[0]!.exitCode, 0);
  await waitFor('container removed', async () => (containersOfTask(taskArn).length === 0 ? true : undefined));
  t.pass('cleaned up');
});
