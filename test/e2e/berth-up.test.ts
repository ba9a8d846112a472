import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { DescribeContainerInstancesCommand, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { ecsClient, removeDir, tempDir, waitFor } from '../kit/harness.js';

const CLI = ['--import', 'tsx', 'src/cli.ts'];

t.test('berth up runs emulator and agent together, prints how to use them, and stops cleanly on Ctrl-C', async (t) => {
  const dir = tempDir('e2e-up');
  const cluster = `e2e-up-${process.pid}`;
  t.teardown(() => removeDir(dir));
  const child = spawn(process.execPath, [...CLI, 'up', '--port', '0', '--data-dir', dir, '--cluster', cluster], {
    env: { ...process.env, ECS_LOGLEVEL: 'warn', BERTH_CONFIG_FILE: '/nonexistent/ecs.config', BERTH_INTROSPECTION_PORT: '0', BERTH_METADATA_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));

  // The banner's last line says it is all out (stdout may arrive in several chunks).
  const url = await waitFor('the whole banner', async () => (stdout.includes('Ctrl-C stops both') ? /ECS endpoint (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1] : undefined), 30_000).catch(
    (err: Error) => {
      throw new Error(`${err.message}\nstdout: ${stdout}\nstderr: ${stderr}`);
    },
  );
  t.match(stdout, /aws --endpoint-url http:\/\/127\.0\.0\.1:\d+ ecs run-task/, 'prints a working aws CLI example');

  const ecs = ecsClient(url);
  t.teardown(() => ecs.destroy());
  const list = await ecs.send(new ListContainerInstancesCommand({ cluster }));
  t.equal(list.containerInstanceArns?.length, 1, 'the host is registered in the cluster');
  const described = await ecs.send(
    new DescribeContainerInstancesCommand({ cluster, containerInstances: list.containerInstanceArns }),
  );
  t.equal(described.containerInstances?.[0]?.agentConnected, true, 'its agent is connected');

  child.kill('SIGINT');
  const [code] = (await once(child, 'exit')) as [number | null];
  t.equal(code, 0, 'Ctrl-C exits 0');
});

t.test('berth --help describes the commands and an unknown command fails with usage', async (t) => {
  const help = spawnSync(process.execPath, [...CLI, '--help'], { encoding: 'utf8' });
  t.equal(help.status, 0);
  t.match(help.stdout, /berth agent/);
  t.match(help.stdout, /berth emulator/);
  t.match(help.stdout, /berth up/);
  const bad = spawnSync(process.execPath, [...CLI, 'frobnicate'], { encoding: 'utf8' });
  t.equal(bad.status, 2);
  t.match(bad.stderr, /unknown command 'frobnicate'/);
});

t.test('berth agent without a region exits 5 with a clear message', async (t) => {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], BERTH_CONFIG_FILE: '/nonexistent/ecs.config', HOME: process.env['HOME'] };
  const res = spawnSync(process.execPath, [...CLI, 'agent'], { encoding: 'utf8', env, timeout: 30_000 });
  t.equal(res.status, 5, 'terminal configuration error');
  t.match(res.stderr, /AWS_DEFAULT_REGION/);
});
