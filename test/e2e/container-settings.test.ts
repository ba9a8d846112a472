import t from 'tap';
import { DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { startStack, waitFor } from '../kit/harness.js';

// Each check exits non-zero when its setting did not take effect; the container exits 42 when all did.
const CHECKS = [
  'grep -q "search example.test" /etc/resolv.conf',
  '[ "$(cat /proc/sys/net/ipv4/tcp_keepalive_time)" = 500 ]',
  '[ "$(cat /proc/1/comm)" = docker-init ]',
  'df -k /dev/shm | grep -q 65536',
  'grep -q " /scratch tmpfs " /proc/mounts',
  '[ "$(id -u)" = 65534 ]',
  '[ "$(pwd)" = /tmp ]',
  '[ "$(hostname)" = settings-host ]',
];

t.test('task definition settings reach Docker through the emulator payload and the agent', async (t) => {
  const { cluster, ecs } = await startStack(t, { name: 'e2e-settings', portRange: '40500-40599' });

  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'settings',
      containerDefinitions: [
        {
          name: 'check',
          image: 'berth/busybox:latest',
          essential: true,
          memory: 64,
          command: ['sh', '-c', `${CHECKS.join(' && ')} && exit 42; exit 1`],
          user: '65534',
          workingDirectory: '/tmp',
          hostname: 'settings-host',
          dnsSearchDomains: ['example.test'],
          systemControls: [{ namespace: 'net.ipv4.tcp_keepalive_time', value: '500' }],
          linuxParameters: {
            initProcessEnabled: true,
            sharedMemorySize: 64,
            tmpfs: [{ containerPath: '/scratch', size: 8 }],
          },
        },
      ],
    }),
  );
  const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'settings' }));
  const taskArn = run.tasks?.[0]?.taskArn ?? '';
  const stopped = await waitFor('STOPPED', async () => {
    const task = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks?.[0];
    return task?.lastStatus === 'STOPPED' ? task : undefined;
  }, 20_000);
  t.equal(stopped.containers?.[0]?.exitCode, 42, 'every setting took effect inside the container');
});
