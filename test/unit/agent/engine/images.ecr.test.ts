/**
 * Registry credentials asked for only when a pull really happens (ECR tokens, images.ts `lazyAuth`): the official
 * agent asks ECR inside its docker pull, so a cached image under prefer-cached or once never costs a
 * GetAuthorizationToken, and a failure to get credentials is the pull's error, with no pull timestamps.
 */
import t from 'tap';
import { ImageManager } from '../../../../src/agent/engine/images.js';
import { loadConfig } from '../../../../src/agent/config/config.js';
import { BerthError } from '../../../../src/shared/errors.js';
import { silentLogger } from '../../../../src/shared/log.js';
import type { ContainerRuntime, RegistryAuth } from '../../../../src/agent/runtime/runtime.js';
import { FakeRuntime } from '../../../kit/fake-runtime.js';

class Runtime extends FakeRuntime {
  readonly present = new Set<string>();
  readonly pulls: { image: string; auth: RegistryAuth | undefined }[] = [];
  override async inspectImage(image: string) {
    return this.present.has(image) ? { id: `sha256:${image}`, repoDigests: [], created: 0 } : undefined;
  }
  override async pullImage(image: string, opts?: Parameters<ContainerRuntime['pullImage']>[1]): Promise<void> {
    this.pulls.push({ image, auth: opts?.auth });
    this.present.add(image);
  }
}

const signal = new AbortController().signal;
const AUTH = { username: 'AWS', password: 'tok', serveraddress: 'https://r.example' };

function rig(behavior: string) {
  const runtime = new Runtime();
  const config = loadConfig({ AWS_DEFAULT_REGION: 'us-west-2', ECS_IMAGE_PULL_BEHAVIOR: behavior }, { configFile: '/nonexistent/x' });
  const images = new ImageManager({ runtime, config, log: silentLogger(), retry: { tries: 1, minMs: 1, maxMs: 1 } });
  let asked = 0;
  const lazy = (fail?: Error) => ({ key: 'k', resolve: async () => {
    asked++;
    if (fail) throw fail;
    return AUTH;
  } });
  return { runtime, images, lazy, asked: () => asked };
}

t.test('a pull that happens asks for the credentials once and pulls with them', async (t) => {
  const { runtime, images, lazy, asked } = rig('always');
  const [a, b] = await Promise.all([images.ensure('r.example/app:1', signal, { lazyAuth: lazy() }), images.ensure('r.example/app:1', signal, { lazyAuth: lazy() })]);
  t.equal(a.error, undefined);
  t.equal(a, b, 'two containers share one pull');
  t.equal(asked(), 1);
  t.same(runtime.pulls, [{ image: 'r.example/app:1', auth: AUTH }]);
});

t.test('a cached image under prefer-cached or once never asks', async (t) => {
  for (const behavior of ['prefer-cached', 'once']) {
    const { runtime, images, lazy, asked } = rig(behavior);
    if (behavior === 'once') await images.ensure('r.example/app:1', signal, { lazyAuth: lazy() });
    runtime.present.add('r.example/app:1');
    const before = asked();
    const r = await images.ensure('r.example/app:1', signal, { lazyAuth: lazy() });
    t.equal(r.error, undefined, behavior);
    t.equal(asked(), before, `${behavior}: no credentials asked for`);
    t.equal(r.pullStartedAt, undefined, `${behavior}: no pull`);
  }
});

t.test('credentials that cannot be had are the error, with no pull and no pull times', async (t) => {
  const { runtime, images, lazy } = rig('default');
  const err = new BerthError('CannotPullECRContainerError', 'engine ecr credentials: not found');
  const r = await images.ensure('r.example/app:1', signal, { lazyAuth: lazy(err) });
  t.equal(r.error, err);
  t.equal(r.pullStartedAt, undefined);
  t.equal(r.pullStoppedAt, undefined);
  t.same(runtime.pulls, []);
  runtime.present.add('r.example/app:2');
  const cached = await images.ensure('r.example/app:2', signal, { lazyAuth: lazy(err) });
  t.equal(cached.error, undefined, 'default with the image cached falls back to it, as for a failed pull');
});
