/**
 * Volumes on real Docker (spec §3.5, §5.8; the official TestHostVolumeMount, TestTaskLevelVolume,
 * TestSharedAutoprovisionVolume, TestSharedDoNotAutoprovisionVolume and the DataVolume / TaskLocalVolume /
 * LinkVolumeDependencies simple tests).
 */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { docker } from '../../../kit/docker.js';
import { acsTask, engineRig, eventually, sh } from '../../../kit/engine-harness.js';

function removeVolume(name: string): void {
  try {
    docker('volume', 'rm', '-f', name);
  } catch {
    // already gone
  }
}

t.test('volumes', async (t) => {
  const rig = await engineRig(t, { slice: 7, env: { ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1s' } });
  const hostDir = mkdtempSync(path.join(tmpdir(), 'berth-hostvol-'));
  t.teardown(() => rmSync(hostDir, { recursive: true, force: true }));
  writeFileSync(path.join(hostDir, 'in'), 'from the host\n');

  await Promise.all([
    t.test('a host volume is bind-mounted, read-only where the mount point says so (TestHostVolumeMount)', async (t) => {
      const arn = rig.arn();
      rig.send(acsTask(arn, [
        { name: 'writer', command: sh('echo written > /host/out && exit 42'), mountPoints: [{ sourceVolume: 'h', containerPath: '/host' }] },
        { name: 'reader', essential: false, command: sh('grep -q "from the host" /ro/in && ! touch /ro/x 2>/dev/null && exit 42; exit 1'), mountPoints: [{ sourceVolume: 'h', containerPath: '/ro', readOnly: true }] },
      ], { volumes: [{ name: 'h', type: 'host', host: { sourcePath: hostDir } }] }));
      await rig.reported(arn, 'STOPPED');
      t.match(rig.containers(arn), { writer: { exitCode: 42 }, reader: { exitCode: 42 } });
      t.equal(readFileSync(path.join(hostDir, 'out'), 'utf8'), 'written\n');
    }),
    t.test('an empty host volume is a task-scoped Docker volume shared by the task, removed at cleanup (TaskLocalVolume)', async (t) => {
      const arn = rig.arn();
      rig.send(acsTask(arn, [
        { name: 'producer', essential: false, command: sh('echo local > /scratch/f'), mountPoints: [{ sourceVolume: 'scratch', containerPath: '/scratch' }] },
        {
          name: 'consumer',
          command: sh('grep -q local /data/f && exit 42; exit 1'),
          mountPoints: [{ sourceVolume: 'scratch', containerPath: '/data' }],
          dependsOn: [{ containerName: 'producer', condition: 'SUCCESS' }],
        },
      ], { volumes: [{ name: 'scratch', type: 'host', host: { sourcePath: '' } }] }));
      await rig.reported(arn, 'STOPPED');
      t.equal(rig.containers(arn)['consumer']!['exitCode'], 42);
      await eventually('task volume removed at cleanup', () => docker('volume', 'ls', '-q', '--filter', 'name=ecs-engine-test-1-scratch-') === '', 15_000);
    }),
    t.test('dockerVolumeConfiguration scope task gets its own volume with driver options', async (t) => {
      const arn = rig.arn();
      rig.send(acsTask(arn, [
        { name: 'c', command: sh('grep -q " /v tmpfs" /proc/mounts && exit 42; exit 1'), mountPoints: [{ sourceVolume: 'tv', containerPath: '/v' }] },
      ], { volumes: [{ name: 'tv', type: 'docker', dockerVolumeConfiguration: { scope: 'task', driver: 'local', driverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' }, labels: { owner: 'berth' } } }] }));
      await rig.reported(arn, 'STOPPED');
      t.equal(rig.containers(arn)['c']!['exitCode'], 42);
    }),
    t.test('a shared autoprovisioned volume is created once, shared by tasks and kept (TestSharedAutoprovisionVolume)', async (t) => {
      const name = `berth-shared-${randomBytes(4).toString('hex')}`;
      t.teardown(() => removeVolume(name));
      const vol = { name, type: 'docker', dockerVolumeConfiguration: { scope: 'shared', autoprovision: true, driver: 'local' } };
      const [a, b] = [rig.arn(), rig.arn()];
      rig.send(acsTask(a, [{ name: 'w', command: sh('echo shared > /s/f'), mountPoints: [{ sourceVolume: name, containerPath: '/s' }] }], { volumes: [vol] }));
      await rig.reported(a, 'STOPPED');
      rig.send(acsTask(b, [{ name: 'r', command: sh('grep -q shared /s/f && exit 42; exit 1'), mountPoints: [{ sourceVolume: name, containerPath: '/s' }] }], { volumes: [vol] }));
      await rig.reported(b, 'STOPPED');
      t.equal(rig.containers(b)['r']!['exitCode'], 42, 'the second task sees what the first wrote');
      await new Promise((r) => setTimeout(r, 1500)); // past the 1 s cleanup wait
      t.equal(docker('volume', 'ls', '-q', '--filter', `name=^${name}$`), name, 'a shared volume outlives its tasks');
    }),
    t.test('a missing shared volume without autoprovision stops the task (TestSharedDoNotAutoprovisionVolume)', async (t) => {
      const arn = rig.arn();
      const name = `berth-absent-${randomBytes(4).toString('hex')}`;
      rig.send(acsTask(arn, [{ name: 'c', command: sh('exit 0'), mountPoints: [{ sourceVolume: name, containerPath: '/s' }] }], {
        volumes: [{ name, type: 'docker', dockerVolumeConfiguration: { scope: 'shared', autoprovision: false, driver: 'local' } }],
      }));
      const stopped = await rig.reported(arn, 'STOPPED');
      t.match(stopped['reason'], /^ResourceInitializationError: shared volume .* does not exist/);
      t.notOk(Object.values(rig.containers(arn)).some((c) => c['runtimeId']), 'no container was created');
    }),
  ]);
});
