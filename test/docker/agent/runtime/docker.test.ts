/**
 * The Docker runtime adapter on real Docker: every call is bounded by its timeout (DockerTimeoutError with the
 * official message), health and image inspect are mapped, volumes are created idempotently and removed.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { DockerRuntime } from '../../../../src/agent/runtime/docker.js';
import { isBerthError } from '../../../../src/shared/errors.js';
import { applyInspect } from '../../../../src/agent/engine/observe.js';
import { container, record } from '../../../kit/engine-fixtures.js';
import { docker } from '../../../kit/docker.js';
import { eventually, IMAGE } from '../../../kit/engine-harness.js';

const runtime = new DockerRuntime({ dockerHost: 'unix:///var/run/docker.sock' });
const signal = new AbortController().signal;
const label = `berth-engine-runtime-${randomBytes(4).toString('hex')}`;
t.teardown(() => {
  const ids = docker('ps', '-aq', '--filter', `label=${label}`);
  if (ids) docker('rm', '-f', ...ids.split('\n'));
});

t.test('a Docker call past its timeout fails with DockerTimeoutError', async (t) => {
  const err = await runtime
    .createContainer({ name: `${label}-slow`, body: { Image: IMAGE, Cmd: ['true'], Labels: { [label]: '1' } } }, { timeoutMs: 1, signal })
    .then(() => undefined, (e: unknown) => e);
  t.ok(isBerthError(err, 'DockerTimeoutError'), String(err));
  t.match(String((err as Error).message), /^Could not transition to CREATED; timed out after waiting 0\.001s/);
});

t.test('a Docker failure carries the official error name', async (t) => {
  const err = await runtime.startContainer('berth-no-such-container', { timeoutMs: 10_000, signal }).then(() => undefined, (e: unknown) => e);
  t.ok(isBerthError(err, 'CannotStartContainerError'), String(err));
});

t.test('health from inspect becomes the container health (healthy, unhealthy)', async (t) => {
  const ids = await Promise.all(['true', 'false'].map(async (probe) => {
    const id = await runtime.createContainer({
      name: `${label}-${probe}`,
      body: { Image: IMAGE, Cmd: ['sleep', '30'], Labels: { [label]: '1' }, Healthcheck: { Test: ['CMD-SHELL', `echo probed; ${probe}`], Interval: 200e6, Retries: 1 } },
    }, { timeoutMs: 30_000, signal });
    await runtime.startContainer(id, { timeoutMs: 30_000, signal });
    return id;
  }));
  for (const [i, want] of (['HEALTHY', 'UNHEALTHY'] as const).entries()) {
    const c = record([container('c')]).state.containers[0]!;
    await eventually(`${want}`, async () => {
      const info = await runtime.inspectContainer(ids[i]!, signal);
      if (!info) return undefined;
      applyInspect(c, info, { trackHealth: true });
      return c.health === want ? true : undefined;
    }, 10_000);
    t.equal(c.health, want);
    t.match(c.healthOutput, /probed/);
  }
});

t.test('image inspect, and volumes created idempotently and removed', async (t) => {
  const img = await runtime.inspectImage(IMAGE, signal);
  t.match(img?.id, /^sha256:/);
  t.equal(await runtime.inspectImage('berth/never-there:0', signal), undefined);
  const name = `${label}-vol`;
  const req = { name, driver: 'local', driverOpts: {}, labels: { [label]: '1' } };
  await runtime.createVolume(req, signal);
  await runtime.createVolume(req, signal);
  t.ok(await runtime.volumeExists(name, signal));
  await runtime.removeVolume(name, signal);
  await runtime.removeVolume(name, signal);
  t.notOk(await runtime.volumeExists(name, signal));
});
