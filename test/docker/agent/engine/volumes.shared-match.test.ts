/**
 * ECS_SHARED_VOLUME_MATCH_FULL_CONFIG on real Docker (the official addSharedVolumes): an autoprovisioned shared
 * volume that already exists must carry the task definition's labels and driver options when the setting is on;
 * by default (off) its name is enough. Every volume here is the test's own (berth-cln-<random>) and removed after.
 */
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { DockerRuntime } from '../../../../src/agent/runtime/docker.js';
import { provisionVolumes } from '../../../../src/agent/engine/volumes.js';
import type { VolumeSpec } from '../../../../src/agent/model/task.js';
import { isBerthError } from '../../../../src/shared/errors.js';
import { docker, removeContainersWithLabel } from '../../../kit/docker.js';
import { container, record } from '../../../kit/engine-fixtures.js';
import { acsTask, engineRig, sh } from '../../../kit/engine-harness.js';

function ownVolume(t: Test, create: string[]): string {
  const name = `berth-cln-${randomBytes(4).toString('hex')}`;
  t.teardown(() => {
    try {
      docker('volume', 'rm', '-f', name);
    } catch {
      // already gone
    }
  });
  docker('volume', 'create', ...create, name);
  return name;
}

function shared(name: string, extra: Partial<VolumeSpec> = {}): VolumeSpec {
  return { name, type: 'docker', sourcePath: '', scope: 'shared', autoprovision: true, driver: 'local', driverOpts: {}, labels: {}, ...extra };
}

const runtime = new DockerRuntime({ dockerHost: 'unix:///var/run/docker.sock' });
t.teardown(() => runtime.close());

async function provision(v: VolumeSpec, matchFullConfig: boolean): Promise<Record<string, string>> {
  const rec = record([container('c')], 'RUNNING', [v]);
  return provisionVolumes({ rec, runtime, signal: new AbortController().signal, onChain: async (fn) => void (await fn()), save: () => undefined, matchFullConfig });
}

t.test('with full matching on, existing labels that differ fail with the official reason', async (t) => {
  const name = ownVolume(t, ['--label', 'team=a']);
  const err = await provision(shared(name, { labels: { team: 'b' } }), true).then(() => undefined, (e: unknown) => e);
  t.ok(isBerthError(err, 'ResourceInitializationError'), 'a resource initialization error');
  t.equal((err as Error).message, 'intialize volume: non-autoprovisioned volume does not match existing volume labels: existing: map[team:a], expected: map[team:b]');
});

t.test('with full matching on, existing driver options that differ fail with the official reason', async (t) => {
  const name = ownVolume(t, ['--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=1m']);
  const err = await provision(shared(name, { driverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=2m' } }), true).then(() => undefined, (e: unknown) => e);
  t.equal((err as Error).message, 'initialize volume: non-autoprovisioned volume does not match existing volume options: existing: map[device:tmpfs o:size=1m type:tmpfs], expected: map[device:tmpfs o:size=2m type:tmpfs]');
});

t.test('with full matching on, a volume with the same labels and options is used', async (t) => {
  const name = ownVolume(t, ['--label', 'team=a', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs']);
  t.same(await provision(shared(name, { labels: { team: 'a' }, driverOpts: { type: 'tmpfs', device: 'tmpfs' } }), true), { [name]: name });
});

t.test('with full matching off (the default) only the name has to exist', async (t) => {
  const name = ownVolume(t, ['--label', 'team=a']);
  t.same(await provision(shared(name, { labels: { team: 'other' }, driverOpts: { type: 'tmpfs' } }), false), { [name]: name });
  t.same(JSON.parse(docker('volume', 'inspect', '--format', '{{json .Labels}}', name)), { team: 'a' }, 'the existing volume is left as it was');
});

t.test('a shared volume without autoprovision is checked by name only, even with full matching on', async (t) => {
  const name = ownVolume(t, ['--label', 'team=a']);
  t.same(await provision(shared(name, { autoprovision: false, labels: { team: 'b' } }), true), { [name]: name });
});

t.test('through the agent: a mismatching shared volume stops the task before any container exists', async (t) => {
  const cluster = `cln-vol-${randomBytes(4).toString('hex')}`;
  const rig = await engineRig(t, { slice: 0, env: { ECS_SHARED_VOLUME_MATCH_FULL_CONFIG: 'true', ECS_CLUSTER: cluster, ECS_DYNAMIC_HOST_PORT_RANGE: '58300-58349' } });
  t.teardown(() => removeContainersWithLabel('com.amazonaws.ecs.cluster', cluster));
  const name = ownVolume(t, ['--label', 'team=a']);
  const dvc = { scope: 'shared', autoprovision: true, driver: 'local', labels: { team: 'b' } };
  const bad = rig.arn();
  rig.send(acsTask(bad, [{ name: 'c', command: sh('exit 0'), mountPoints: [{ sourceVolume: name, containerPath: '/s' }] }], {
    volumes: [{ name, type: 'docker', dockerVolumeConfiguration: dvc }],
  }));
  const stopped = await rig.reported(bad, 'STOPPED');
  t.equal(stopped['reason'], 'ResourceInitializationError: intialize volume: non-autoprovisioned volume does not match existing volume labels: existing: map[team:a], expected: map[team:b]');
  t.notOk(Object.values(rig.containers(bad)).some((c) => c['runtimeId']), 'no container was created');

  const good = rig.arn();
  rig.send(acsTask(good, [{ name: 'c', command: sh('test -d /s && exit 42'), mountPoints: [{ sourceVolume: name, containerPath: '/s' }] }], {
    volumes: [{ name, type: 'docker', dockerVolumeConfiguration: { ...dvc, labels: { team: 'a' } } }],
  }));
  await rig.reported(good, 'STOPPED');
  t.equal(rig.containers(good)['c']!['exitCode'], 42, 'the matching task ran with the volume');
});
