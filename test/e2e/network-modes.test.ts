/**
 * host and none network modes (spec §9): the container shares the host's interfaces, or has only loopback.
 * Each container checks for itself and exits 42 when what it sees is right.
 */
import t from 'tap';
import { readdirSync } from 'node:fs';
import { netCluster, register, runOne, waitStatus } from '../kit/network.js';

t.test('host and none network modes', async (t) => {
  const c = await netCluster(t, 'modes', { portRange: '54100-54199' });
  // An interface only the host has (never a container's default): docker0, else the first non-loopback one.
  const hostIfaces = readdirSync('/sys/class/net');
  const marker = hostIfaces.includes('docker0') ? 'docker0' : hostIfaces.find((i) => i !== 'lo' && !i.startsWith('veth'));
  if (!marker) throw new Error('the host has no interface besides loopback');

  const check = async (networkMode: 'host' | 'none', script: string): Promise<number | undefined> => {
    const td = await register(c.ecs, {
      family: `net-mode-${networkMode}`,
      networkMode,
      containerDefinitions: [{ name: 'probe', image: 'berth/busybox:latest', memory: 32, essential: true, command: ['sh', '-c', script] }],
    });
    const task = await waitStatus(c, await runOne(c, td), 'STOPPED');
    return task.containers?.[0]?.exitCode;
  };

  await t.test('host: the container sees the host interfaces', async (t) => {
    t.equal(await check('host', `test -e /sys/class/net/${marker} && exit 42; ls /sys/class/net; exit 1`), 42, `${marker} is visible inside`);
  });

  await t.test('none: the container sees only a loopback interface', async (t) => {
    t.equal(await check('none', 'test "$(ls /sys/class/net)" = lo && exit 42; ls /sys/class/net; exit 1'), 42, 'only lo inside');
  });
});
