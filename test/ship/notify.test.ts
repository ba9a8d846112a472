import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { CreateClusterCommand } from '@aws-sdk/client-ecs';
import { CREDENTIALS, ecsClient, emulatorOn, REGION, removeContainersOfCluster, removeDir, tempDir, waitFor } from '../kit/harness.js';
import { berthEnv, runBerth, spawnBerth } from '../kit/run-berth.js';

/**
 * Stands in for systemd's notify socket (a unix datagram socket, which Node cannot open): python3 prints every
 * datagram as one line, newlines shown as '|'. File descriptors that systemd-notify attaches for its barrier are
 * dropped by the kernel on receipt, which is what releases the barrier.
 */
const RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print('bound', flush=True)
while True:
    print(s.recv(65536).decode().strip().replace('\\n', '|'), flush=True)
`;

async function notifySocket(t: Test, dir: string): Promise<{ path: string; messages: () => string[] }> {
  const socketPath = path.join(dir, 'notify.sock');
  const receiver = spawn('python3', ['-c', RECEIVER, socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => {
    receiver.kill('SIGKILL');
  });
  let out = '';
  receiver.stdout.on('data', (b: Buffer) => (out += b.toString()));
  await waitFor('the notify socket', async () => (out.startsWith('bound\n') ? true : undefined), 10_000);
  return { path: socketPath, messages: () => out.split('\n').slice(1).filter((l) => l !== '' && l !== 'BARRIER=1') };
}

t.test('berth emulator tells systemd READY=1 once it listens and STOPPING=1 on SIGTERM', async (t) => {
  const dir = tempDir('ship-notify-emu');
  t.teardown(() => removeDir(dir));
  const sock = await notifySocket(t, dir);
  const child = spawnBerth(['emulator', '--port', '0', '--data-dir', path.join(dir, 'emu'), '--log-level', 'warn'], berthEnv({ NOTIFY_SOCKET: sock.path }));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const ready = await waitFor('READY=1', async () => sock.messages().find((m) => m.startsWith('READY=1')), 20_000);
  t.match(ready, /^READY=1\|STATUS=listening on http:\/\/127\.0\.0\.1:\d+$/);
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  t.equal(code, 0);
  t.ok(sock.messages().includes('STOPPING=1'), 'STOPPING=1 before it exits');
});

t.test('berth agent tells systemd READY=1 only once it is registered and connected', async (t) => {
  const dir = tempDir('ship-notify-agent');
  const cluster = `ship-notify-${process.pid}`;
  const emulator = await emulatorOn(path.join(dir, 'emulator'));
  t.teardown(async () => {
    await emulator.close();
    removeContainersOfCluster(cluster);
    removeDir(dir);
  });
  const ecs = ecsClient(emulator.url);
  t.teardown(() => ecs.destroy());
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const sock = await notifySocket(t, dir);
  const env = berthEnv({
    NOTIFY_SOCKET: sock.path,
    ECS_CLUSTER: cluster,
    ECS_BACKEND_HOST: emulator.url,
    ECS_DATADIR: path.join(dir, 'agent'),
    ECS_EXTERNAL: 'true',
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    ECS_DYNAMIC_HOST_PORT_RANGE: '52200-52299',
    BERTH_INTROSPECTION_PORT: '0',
    BERTH_METADATA_PORT: '0',
    BERTH_LINK_LOCAL_ENDPOINT: 'false',
  });
  const child = spawnBerth(['agent', '--log-level', 'warn'], env);
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const ready = await waitFor('READY=1', async () => sock.messages().find((m) => m.startsWith('READY=1')), 30_000).catch((err: Error) => {
    throw new Error(`${err.message}\nagent stderr: ${stderr}`);
  });
  t.match(ready, new RegExp(`^READY=1\\|STATUS=registered as arn:aws:ecs:${REGION}:\\d+:container-instance/${cluster}/`));
  // With a random introspection port the health check asks the health file the running agent keeps.
  const health = await runBerth(['agent', '--healthcheck'], env);
  t.equal(health.code, 0, `berth agent --healthcheck: ${health.stderr}`);
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  t.equal(code, 0, 'SIGTERM is a clean stop');
  t.ok(sock.messages().includes('STOPPING=1'));
});
