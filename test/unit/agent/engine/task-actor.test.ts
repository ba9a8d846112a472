import t from 'tap';
import { TaskActor } from '../../../../src/agent/engine/task-actor.js';
import { newTaskRecord } from '../../../../src/agent/engine/parse-task.js';
import { PortAllocator } from '../../../../src/agent/network/port-allocator.js';
import { StateStore } from '../../../../src/agent/state/store.js';
import { loadConfig } from '../../../../src/agent/config/config.js';
import { silentLogger } from '../../../../src/shared/log.js';
import type { TaskStateChange } from '../../../../src/agent/reporter/state-change.js';
import { waitUntil } from '../../../kit/wait.js';
import { FakeRuntime } from '../../../kit/fake-runtime.js';

const config = loadConfig({ AWS_DEFAULT_REGION: 'us-west-2', ECS_CLUSTER: 'unit' }, { configFile: '/nonexistent/x' });

function setup(t: { teardown(fn: () => unknown): void }) {
  const runtime = new FakeRuntime();
  const store = new StateStore({ dataDir: undefined });
  const submitted: TaskStateChange[] = [];
  const record = newTaskRecord(
    {
      arn: 'arn:aws:ecs:us-west-2:1:task/unit/abc',
      family: 'unit',
      version: '1',
      networkMode: 'bridge',
      containers: [
        {
          name: 'app', image: 'berth/busybox:latest', cpu: 0, memory: 16, essential: true, command: ['sleep', '60'],
          entryPoint: undefined, environment: {}, portMappings: [], dockerConfig: undefined, dockerHostConfig: undefined,
          stopTimeoutSec: 1,
        },
      ],
    },
    'RUNNING',
  );
  store.saveTask(record);
  const actor = new TaskActor({
    record,
    runtime,
    store,
    ports: new PortAllocator({ range: [46000, 46010], reservedTcp: [], reservedUdp: [], probe: async () => true }),
    config,
    submit: (c) => submitted.push(c),
    onCleanedUp: () => undefined,
    log: silentLogger(),
  });
  t.teardown(async () => {
    await actor.close();
    store.close();
  });
  return { runtime, actor, submitted };
}

const until = (what: string, cond: () => boolean, ms = 5000): Promise<true> => waitUntil(what, cond, { timeoutMs: ms, intervalMs: 5 });

t.test('a stop that arrives right behind a Docker event is never lost', async (t) => {
  const { runtime, actor, submitted } = setup(t);
  actor.start();
  await until('RUNNING reported', () => submitted.some((c) => c.status === 'RUNNING'));
  const id = [...runtime.containers.keys()][0]!;
  // A late `start` event queues a progress step; the stop is queued right behind it. The progress must not
  // run before the stop and swallow it.
  actor.onDockerEvent({ action: 'start', id, exitCode: undefined, time: Date.now() });
  actor.raiseDesired('STOPPED');
  await until('STOPPED reported', () => submitted.some((c) => c.status === 'STOPPED'));
  t.ok(runtime.calls.includes('stop ' + runtime.containers.get(id)!.name), 'docker stop was called');
  t.equal(runtime.calls.filter((c) => c.startsWith('create')).length, 1, 'created exactly once');
});

t.test('the essential container exiting stops the task and reports its exit code', async (t) => {
  const { runtime, actor, submitted } = setup(t);
  actor.start();
  await until('RUNNING reported', () => submitted.some((c) => c.status === 'RUNNING'));
  const id = [...runtime.containers.keys()][0]!;
  runtime.exit(id, 3);
  actor.onDockerEvent({ action: 'die', id, exitCode: 3, time: Date.now() });
  await until('STOPPED reported', () => submitted.some((c) => c.status === 'STOPPED'));
  const stopped = submitted.find((c) => c.status === 'STOPPED')!;
  t.equal(stopped.input.containers?.[0]?.exitCode, 3);
  t.notOk(runtime.calls.some((c) => c.startsWith('stop')), 'nothing left to stop');
});
