import t from 'tap';
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { startEmulator } from '../../src/emulator/index.js';
import { agentFor, REGION, removeContainersOfCluster, removeDir, tempDir, testLogger, waitFor, WEB_CONTAINER } from '../kit/harness.js';

/** The test's own client key: always accepted, so only the agent's key is subject to rotation. */
const DRIVER_KEY = 'AKIDSHIPDRIVER';

function client(url: string, accessKeyId: string): ECSClient {
  return new ECSClient({ endpoint: url, region: REGION, credentials: { accessKeyId, secretAccessKey: 'x' }, maxAttempts: 1 });
}

function writeCredentials(file: string, accessKeyId: string): void {
  // Like SSM: a new file moved into place, never a half-written one.
  writeFileSync(`${file}.tmp`, `[default]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${accessKeyId}-secret\n`);
  renameSync(`${file}.tmp`, file);
}

t.test('an agent keeps working when its shared credentials file is rotated under it', async (t) => {
  const dir = tempDir('ship-rotate');
  const cluster = `ship-rotate-${process.pid}`;
  const credsFile = path.join(dir, 'credentials');
  let current = 'AKIDSHIPROTATE1';
  writeCredentials(credsFile, current);

  const emulator = await startEmulator({
    port: 0,
    dataDir: path.join(dir, 'emulator'),
    region: REGION,
    log: testLogger(),
    heartbeatIntervalMs: 1000,
    acceptAccessKeys: () => [DRIVER_KEY, current],
  });
  t.teardown(async () => {
    await emulator.close();
    removeContainersOfCluster(cluster);
    removeDir(dir);
  });
  const ecs = client(emulator.url, DRIVER_KEY);
  t.teardown(() => ecs.destroy());
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'ship-rotate', containerDefinitions: [WEB_CONTAINER] }));

  const agent = await agentFor({
    cluster,
    backend: emulator.url,
    dataDir: path.join(dir, 'agent'),
    portRange: '52100-52199',
    extra: {
      // No static keys: the agent must find its credentials in the rotating file.
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      BERTH_ROTATING_CREDENTIALS_FILE: credsFile,
      BERTH_CREDENTIALS_REFRESH_INTERVAL: '100ms',
    },
  });
  t.teardown(() => agent.close());
  t.match(agent.containerInstanceArn, /container-instance/, 'registered with the key from the file');

  const status = async (taskArn: string): Promise<string | undefined> =>
    (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks?.[0]?.lastStatus;
  const runTask = async (): Promise<string> => {
    const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'ship-rotate' }));
    const arn = run.tasks?.[0]?.taskArn;
    if (!arn) throw new Error(`RunTask placed nothing: ${JSON.stringify(run.failures)}`);
    return arn;
  };

  const before = await runTask();
  await waitFor('first task RUNNING (reported with the first key)', async () => ((await status(before)) === 'RUNNING' ? true : undefined));

  // Rotate: the file gets a new key and the control plane stops accepting the old one.
  const old = current;
  current = 'AKIDSHIPROTATE2';
  writeCredentials(credsFile, current);
  const oldClient = client(emulator.url, old);
  t.teardown(() => oldClient.destroy());
  await t.rejects(oldClient.send(new ListClustersCommand({})), { name: 'UnrecognizedClientException' }, 'the old key is refused now');

  await ecs.send(new StopTaskCommand({ cluster, task: before }));
  await waitFor('first task STOPPED (reported with the rotated key)', async () => ((await status(before)) === 'STOPPED' ? true : undefined));
  const after = await runTask();
  await waitFor('a new task RUNNING after the rotation', async () => ((await status(after)) === 'RUNNING' ? true : undefined));
  t.pass('state changes signed with the rotated key were accepted; no restart needed');
});
