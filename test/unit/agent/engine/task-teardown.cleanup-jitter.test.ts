/**
 * §5.8: a stopped task is cleaned up ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION + U(0, JITTER) after it stopped.
 * TaskTeardown with an injected clock and random source, and Node's mocked setTimeout: no real waiting.
 */
import t from 'tap';
import { mock } from 'node:test';
import { loadConfig } from '../../../../src/agent/config/config.js';
import { TaskTeardown } from '../../../../src/agent/engine/task-teardown.js';
import type { ImageManager } from '../../../../src/agent/engine/images.js';
import type { ContainerRuntime } from '../../../../src/agent/runtime/runtime.js';
import type { StateStore } from '../../../../src/agent/state/store.js';
import { testLogger } from '../../../kit/agent-harness.js';
import { clockAt } from '../../../kit/manual-clock.js';
import { container, record } from '../../../kit/engine-fixtures.js';

const MIN = 60_000;

function teardownWith(env: Record<string, string>, opts: { now: number; stoppedAt: number; random: () => number }): { teardown: TaskTeardown; enqueued: () => number } {
  const config = loadConfig({ AWS_DEFAULT_REGION: 'us-west-2', ...env }, { configFile: '/nonexistent/berth-jitter.config' });
  const rec = record([container('app')], 'STOPPED');
  rec.state.known = 'STOPPED';
  rec.state.sent = 'STOPPED';
  rec.state.stoppedAt = opts.stoppedAt;
  let enqueued = 0;
  const teardown = new TaskTeardown({
    rec,
    runtime: {} as ContainerRuntime,
    store: {} as StateStore,
    images: {} as ImageManager,
    config,
    network: undefined,
    metadataFiles: undefined,
    signal: new AbortController().signal,
    log: testLogger(),
    clock: clockAt(() => opts.now),
    random: opts.random,
    closed: () => false,
    enqueue: () => void enqueued++,
    onCleanedUp: () => undefined,
  });
  return { teardown, enqueued: () => enqueued };
}

t.beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
t.afterEach(() => mock.timers.reset());

t.test('the cleanup waits the configured duration plus the jitter share drawn from the random source', async (t) => {
  // Stopped 1 min ago, wait 10m, jitter 20m, random 0.25 -> 10m + 5m from the stop = 14m from now.
  const { teardown, enqueued } = teardownWith(
    { ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '10m', ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER: '20m' },
    { now: 100 * MIN, stoppedAt: 99 * MIN, random: () => 0.25 },
  );
  t.teardown(() => teardown.close());
  teardown.scheduleCleanup();
  mock.timers.tick(14 * MIN - 1);
  t.equal(enqueued(), 0, 'not before wait + jitter');
  mock.timers.tick(1);
  t.equal(enqueued(), 1, 'cleanup queued at wait + jitter after the stop');
});

t.test('the jitter stays below its bound and is drawn once per schedule', async (t) => {
  const draws: number[] = [];
  const { teardown, enqueued } = teardownWith(
    { ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1m', ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER: '1h' },
    { now: 0, stoppedAt: 0, random: () => (draws.push(0.999999), 0.999999) },
  );
  t.teardown(() => teardown.close());
  teardown.scheduleCleanup();
  teardown.scheduleCleanup(); // already scheduled: no second timer, no second draw
  t.equal(draws.length, 1);
  mock.timers.tick(MIN + 60 * MIN - 1);
  t.equal(enqueued(), 1, 'fires just before wait + jitter bound');
});

t.test('without ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER the random source is never asked', async (t) => {
  let asked = false;
  const { teardown, enqueued } = teardownWith(
    { ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '5m' },
    { now: 0, stoppedAt: 0, random: () => ((asked = true), 0.9) },
  );
  t.teardown(() => teardown.close());
  teardown.scheduleCleanup();
  mock.timers.tick(5 * MIN - 1);
  t.equal(enqueued(), 0);
  mock.timers.tick(1);
  t.equal(enqueued(), 1);
  t.notOk(asked, 'default jitter 0');
});

t.test('the jitter is read as a duration and defaults to 0', async (t) => {
  const base = { AWS_DEFAULT_REGION: 'us-west-2' };
  const file = { configFile: '/nonexistent/berth-jitter.config' };
  t.equal(loadConfig(base, file).taskCleanupWaitJitterMs, 0);
  t.equal(loadConfig({ ...base, ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER: '90s' }, file).taskCleanupWaitJitterMs, 90_000);
  t.throws(() => loadConfig({ ...base, ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER: 'soon' }, file), /ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER/);
});
