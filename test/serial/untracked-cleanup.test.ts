/**
 * ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP / ECS_EXCLUDE_UNTRACKED_IMAGE (§5.8) on real Docker. Untracked cleanup
 * removes whatever on the daemon is not ECS's, so it runs against a private dockerd (./private-dockerd.ts, its own
 * data root: the host's images and other tests' containers are out of its reach) holding only what this test
 * makes. The image manager's clock is injected to pass the age rules (3 h container wait, 1 h image age).
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../../src/agent/config/config.js';
import { ImageManager } from '../../src/agent/engine/images.js';
import { DockerRuntime } from '../../src/agent/runtime/docker.js';
import { testLogger } from '../kit/agent-harness.js';
import { clockAt } from '../kit/manual-clock.js';
import { startPrivateDockerd } from '../kit/private-dockerd.js';

const HOUR = 3_600_000;
const PAUSE = 'amazon/amazon-ecs-pause:0.1.0';
const BUSYBOX = 'berth/busybox:latest';

t.test('untracked cleanup removes only old exited non-ECS containers and unused, unexcluded images', async (t) => {
  execFileSync(path.resolve('scripts/build-pause-image'), { stdio: 'ignore' });
  const dockerd = await startPrivateDockerd();
  t.teardown(() => dockerd.destroy());
  const d = dockerd.docker;
  execFileSync('sh', ['-c', `docker save ${PAUSE} | docker -H ${dockerd.host} load`], { stdio: 'ignore' });
  const repo = `berth-untracked-${process.pid}`;

  // Images of our own, made by committing a container that wrote `bytes` bytes: the sizes order the removals.
  const commit = (bytes: number, ...tags: string[]): string => {
    const id = d('run', '-d', BUSYBOX, 'sh', '-c', `head -c ${bytes} /dev/zero > /payload`);
    d('wait', id);
    const image = d('commit', id, `${repo}:${tags[0]!}`);
    for (const tag of tags.slice(1)) d('tag', image, `${repo}:${tag}`);
    d('rm', id);
    return image;
  };
  commit(10, 'small');
  const multi = commit(200_000, 'multi1', 'multi2');
  commit(10, 'excluded');
  commit(400_000, 'ecsused');
  const running = d('run', '-d', '--name', 'plain-running', BUSYBOX, 'sleep', '600');
  const exitedA = d('create', '--name', 'plain-exited-a', BUSYBOX, 'true');
  d('start', '-a', exitedA);
  const exitedB = d('create', '--name', 'plain-exited-b', BUSYBOX, 'true');
  d('start', '-a', exitedB);
  const ecsExited = d('create', '--name', 'ecs-exited', '--label', 'com.amazonaws.ecs.task-arn=arn:aws:ecs:us-west-2:1:task/cln/x', `${repo}:ecsused`, 'true');
  d('start', '-a', ecsExited);

  const config = loadConfig({
    AWS_DEFAULT_REGION: 'us-west-2',
    AWS_ACCESS_KEY_ID: 'AKIDCLNTEST',
    AWS_SECRET_ACCESS_KEY: 'cln-secret',
    ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP: 'true',
    ECS_EXCLUDE_UNTRACKED_IMAGE: `other:1, ${repo}:excluded`,
    ECS_NUM_IMAGES_DELETE_PER_CYCLE: '2',
    NONECS_NUM_CONTAINERS_DELETE_PER_CYCLE: '1',
  }, { configFile: '/nonexistent/berth-cln.config' });
  t.same(config.imageCleanupExclusions, ['other:1', `${repo}:excluded`]);
  const runtime = new DockerRuntime({ dockerHost: dockerd.host });
  t.teardown(() => runtime.close());
  let now = Date.now();
  const images = new ImageManager({ runtime, config, log: testLogger(), clock: clockAt(() => now) });
  const signal = new AbortController().signal;
  const tags = (): string[] => d('images', '--format', '{{.Repository}}:{{.Tag}}').split('\n').filter(Boolean).sort();
  const names = (): string[] => d('ps', '-a', '--format', '{{.Names}}').split('\n').filter(Boolean).sort();
  const allTags = tags();
  const allNames = names();

  t.same(await images.cleanupOnce(signal), [], 'a fresh host: everything is younger than the age rules');
  t.same(tags(), allTags);
  t.same(names(), allNames);

  now += 4 * HOUR;
  const first = await images.cleanupOnce(signal);
  t.equal(first.length, 2, 'at most ECS_NUM_IMAGES_DELETE_PER_CYCLE removals');
  const left = names();
  t.equal(left.length, allNames.length - 1, 'one old exited non-ECS container per cycle (NONECS_NUM_CONTAINERS_DELETE_PER_CYCLE)');
  t.ok(left.includes('ecs-exited') && left.includes('plain-running'), 'the ECS container and the running one stay');
  t.same(tags(), [PAUSE, BUSYBOX, `${repo}:ecsused`, `${repo}:excluded`, `${repo}:multi2`].sort(), 'the smallest image went by ID, then the first tag of the multi-tagged one');
  t.same(first.slice(1), [`${repo}:multi1`]);

  const second = await images.cleanupOnce(signal);
  t.same(second, [multi], 'with one tag left, the image goes by ID');
  t.same(names(), ['ecs-exited', 'plain-running'], 'the other exited non-ECS container');
  t.same(tags(), [PAUSE, BUSYBOX, `${repo}:ecsused`, `${repo}:excluded`].sort(), 'kept: the pause image, the excluded image, the image of a container (busybox: running; ecsused: an ECS container)');

  t.same(await images.cleanupOnce(signal), [], 'nothing else is eligible');
  t.ok(d('ps', '-q', '--filter', `id=${running}`), 'the running non-ECS container is untouched');
});

t.test('without ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP only the ECS cycle runs', async (t) => {
  const config = loadConfig({ AWS_DEFAULT_REGION: 'us-west-2' }, { configFile: '/nonexistent/berth-cln.config' });
  t.equal(config.untrackedImageCleanup, false);
  t.same(config.imageCleanupExclusions, []);
  t.equal(config.nonEcsImageMinimumCleanupAgeMs, HOUR);
  t.equal(config.numNonEcsContainersDeletePerCycle, 5);
});
