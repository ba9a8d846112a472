import t from 'tap';
import { ImageManager } from '../../../../src/agent/engine/images.js';
import { authForImage, registryOf } from '../../../../src/agent/engine/registry-auth.js';
import { loadConfig, SecretString } from '../../../../src/agent/config/config.js';
import { BerthError } from '../../../../src/shared/errors.js';
import { silentLogger } from '../../../../src/shared/log.js';
import { clockAt } from '../../../kit/manual-clock.js';
import { FakeRuntime } from '../../../kit/fake-runtime.js';

/** A runtime whose images and pull outcomes are scripted; it records how many pulls were in flight at once. */
class ImageRuntime extends FakeRuntime {
  readonly present = new Set<string>();
  failures = new Map<string, number>();
  pulls: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  removed: string[] = [];
  override async inspectImage(image: string) {
    return this.present.has(image) ? { id: `sha256:${image}`, repoDigests: [`${image.split(':')[0]}@sha256:abc`], created: 0 } : undefined;
  }
  override async pullImage(image: string): Promise<void> {
    this.pulls.push(image);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, 20));
    this.inFlight--;
    const left = this.failures.get(image) ?? 0;
    if (left > 0) {
      this.failures.set(image, left - 1);
      throw new BerthError('CannotPullContainerError', `pull access denied for ${image}`);
    }
    this.present.add(image);
  }
  override async removeImage(image: string): Promise<void> {
    this.removed.push(image);
    this.present.delete(image);
  }
}

function manager(behavior: string, runtime: ImageRuntime, env: Record<string, string> = {}, now = () => Date.now()) {
  const config = loadConfig({ AWS_DEFAULT_REGION: 'us-west-2', ECS_IMAGE_PULL_BEHAVIOR: behavior, ...env }, { configFile: '/nonexistent/x' });
  return new ImageManager({ runtime, config, log: silentLogger(), retry: { tries: 5, minMs: 1, maxMs: 2 }, clock: clockAt(now) });
}
const signal = new AbortController().signal;
// The engine's sleeps never hold the process; this test has nothing else that does.
const keepAlive = setInterval(() => undefined, 1000);
t.teardown(() => clearInterval(keepAlive));

t.test('default pulls, and falls back to the cached image at once when the pull fails', async (t) => {
  const rt = new ImageRuntime();
  rt.present.add('app:1');
  rt.failures.set('app:1', 99);
  const r = await manager('default', rt).ensure('app:1', signal);
  t.equal(r.error, undefined);
  t.equal(rt.pulls.length, 1, 'one attempt when a cached image exists');
  t.type(r.pullStartedAt, 'number');
  t.equal(r.digest, 'sha256:abc');
});

t.test('a failing pull is tried 5 times, then fails the container', async (t) => {
  const rt = new ImageRuntime();
  rt.failures.set('gone:1', 99);
  const r = await manager('default', rt).ensure('gone:1', signal);
  t.match(String(r.error), /CannotPullContainerError: pull access denied/);
  t.equal(rt.pulls.length, 5);
  const flaky = new ImageRuntime();
  flaky.failures.set('flaky:1', 2);
  t.equal((await manager('always', flaky).ensure('flaky:1', signal)).error, undefined, 'the third try succeeds');
  t.equal(flaky.pulls.length, 3);
});

t.test('always pulls every time; a failure fails even with a cached image', async (t) => {
  const rt = new ImageRuntime();
  rt.present.add('app:1');
  const m = manager('always', rt);
  await m.ensure('app:1', signal);
  await m.ensure('app:1', signal);
  t.equal(rt.pulls.length, 2);
  rt.failures.set('app:1', 99);
  t.ok((await m.ensure('app:1', signal)).error, 'no fallback under always');
});

t.test('once pulls the first time only; prefer-cached pulls only when absent', async (t) => {
  const rt = new ImageRuntime();
  rt.present.add('app:1');
  const once = manager('once', rt);
  await once.ensure('app:1', signal);
  const second = await once.ensure('app:1', signal);
  t.equal(rt.pulls.length, 1);
  t.equal(second.pullStartedAt, undefined, 'no pull timestamps without a pull');
  const rt2 = new ImageRuntime();
  rt2.present.add('cached:1');
  const pc = manager('prefer-cached', rt2);
  await pc.ensure('cached:1', signal);
  await pc.ensure('absent:1', signal);
  t.same(rt2.pulls, ['absent:1']);
});

t.test('different images pull in parallel; the same image is pulled once for concurrent users', async (t) => {
  const rt = new ImageRuntime();
  const m = manager('always', rt);
  await Promise.all([m.ensure('a:1', signal), m.ensure('b:1', signal), m.ensure('c:1', signal), m.ensure('a:1', signal)]);
  t.equal(rt.maxInFlight, 3);
  t.same(rt.pulls.sort(), ['a:1', 'b:1', 'c:1']);
});

t.test('image cleanup removes least recently used unused images past the minimum age, never one in use', async (t) => {
  let now = 0;
  const rt = new ImageRuntime();
  const m = manager('always', rt, { ECS_IMAGE_MINIMUM_CLEANUP_AGE: '1h', ECS_NUM_IMAGES_DELETE_PER_CYCLE: '2' }, () => now);
  for (const img of ['old:1', 'older:1', 'busy:1', 'young:1']) {
    now = img === 'older:1' ? 0 : img === 'young:1' ? 3_000_000 : 1000;
    await m.ensure(img, signal);
  }
  m.use('busy:1', 'container-1');
  m.use('old:1', 'container-2');
  now = 2000;
  m.release('container-2'); // old:1 was used later than older:1
  now = 3_700_000;
  t.same(await m.cleanupOnce(signal), ['older:1', 'old:1'], 'LRU order, two per cycle');
  t.same(await m.cleanupOnce(signal), [], 'busy:1 is used; young:1 is younger than an hour');
  m.release('container-1');
  now = 7_000_000;
  t.same((await m.cleanupOnce(signal)).sort(), ['busy:1', 'young:1']);
  m.use('cached:1', 'container-3');
  m.release('container-3');
  t.same(await m.cleanupOnce(signal), [], 'images the agent did not pull are never removed');
});

t.test('registry auth picks the entry of the image registry (docker and dockercfg)', async (t) => {
  t.equal(registryOf('busybox'), 'index.docker.io');
  t.equal(registryOf('library/busybox:1'), 'index.docker.io');
  t.equal(registryOf('127.0.0.1:5000/app:1'), '127.0.0.1:5000');
  t.equal(registryOf('registry.example.com/team/app'), 'registry.example.com');
  const docker = { engineAuthType: 'docker' as const, engineAuthData: new SecretString(JSON.stringify({ 'https://index.docker.io/v1/': { username: 'hub', password: 'p1' }, '127.0.0.1:5000': { username: 'me', password: 'p2', email: 'me@example.com' } })) };
  t.same(authForImage('busybox', docker), { username: 'hub', password: 'p1', serveraddress: 'https://index.docker.io/v1/' });
  t.same(authForImage('127.0.0.1:5000/app', docker), { username: 'me', password: 'p2', serveraddress: '127.0.0.1:5000', email: 'me@example.com' });
  t.equal(authForImage('other.example.com/app', docker), undefined);
  const cfg = { engineAuthType: 'dockercfg' as const, engineAuthData: new SecretString(JSON.stringify({ 'http://127.0.0.1:5000': { auth: Buffer.from('u:p:w').toString('base64') } })) };
  t.same(authForImage('127.0.0.1:5000/app', cfg), { username: 'u', password: 'p:w', serveraddress: 'http://127.0.0.1:5000' });
  t.equal(JSON.stringify(docker), JSON.stringify({ engineAuthType: 'docker', engineAuthData: '[redacted]' }), 'auth data never prints');
});
