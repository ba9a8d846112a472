import t from 'tap';
import { ContainerObserver } from '../../../../src/agent/engine/container-observer.js';
import { TaskActor } from '../../../../src/agent/engine/task-actor.js';
import { newTaskRecord } from '../../../../src/agent/engine/parse-task.js';
import type { TaskRecord } from '../../../../src/agent/model/task.js';
import { PortAllocator } from '../../../../src/agent/network/port-allocator.js';
import { StateStore } from '../../../../src/agent/state/store.js';
import { loadConfig } from '../../../../src/agent/config/config.js';
import { silentLogger } from '../../../../src/shared/log.js';
import type { TaskStateChange } from '../../../../src/agent/reporter/state-change.js';
import { waitUntil } from '../../../kit/wait.js';
import { FakeRuntime } from '../../../kit/fake-runtime.js';

const config = loadConfig({ AWS_DEFAULT_REGION: 'us-west-2', ECS_CLUSTER: 'unit' }, { configFile: '/nonexistent/x' });

function taskRecord(): TaskRecord {
  return newTaskRecord(
    {
      arn: 'arn:aws:ecs:us-west-2:1:task/unit/observer',
      family: 'unit',
      version: '1',
      networkMode: 'bridge',
      containers: [
        {
          name: 'app', image: 'berth/busybox:latest', cpu: 0, memory: 16, essential: true, command: ['sleep', '60'],
          entryPoint: undefined, environment: {}, portMappings: [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }],
          dockerConfig: undefined, dockerHostConfig: undefined, stopTimeoutSec: 1,
        },
      ],
    },
    'RUNNING',
  );
}

/** A running task whose container exit the test tells the actor about by hand, source by source. */
async function runningTask(t: { teardown(fn: () => unknown): void }) {
  const runtime = new FakeRuntime();
  const store = new StateStore({ dataDir: undefined });
  const submitted: TaskStateChange[] = [];
  const released: string[] = [];
  const ports = new PortAllocator({ range: [46100, 46100], reservedTcp: [], reservedUdp: [], probe: async () => true });
  const record = taskRecord();
  store.saveTask(record);
  const actor = new TaskActor({
    record, runtime, store, ports, config,
    submit: (c) => submitted.push(c),
    onStopped: (arn) => released.push(arn),
    onCleanedUp: () => undefined,
    log: silentLogger(),
  });
  t.teardown(async () => {
    await actor.close();
    store.close();
  });
  actor.start();
  await until('RUNNING reported', () => submitted.some((c) => c.status === 'RUNNING'));
  const id = [...runtime.containers.keys()][0]!;
  /** The container's process ends as containerd sees it; Docker has not processed it yet. */
  const exitUnderDocker = (code: number): void => {
    const c = runtime.containers.get(id)!;
    c.exitCode = code;
  };
  return { runtime, actor, submitted, released, ports, id, exitUnderDocker };
}

const until = (what: string, cond: () => boolean, ms = 5000): Promise<true> => waitUntil(what, cond, { timeoutMs: ms, intervalMs: 5 });

const settle = () => new Promise((r) => setTimeout(r, 50));

t.test("containerd's exit is reported at once; ports and host resources wait for Docker's die", async (t) => {
  const { runtime, actor, submitted, released, ports, id, exitUnderDocker } = await runningTask(t);
  exitUnderDocker(0);
  actor.onProcessEvent({ kind: 'exit', id, exitCode: 0, exitedAt: Date.now() });
  await until('STOPPED reported', () => submitted.some((c) => c.status === 'STOPPED'));
  t.equal(submitted.find((c) => c.status === 'STOPPED')!.input.containers?.[0]?.exitCode, 0, 'the exit code comes from containerd');
  await settle();
  t.same(released, [], 'host resources still held: Docker has not let go of the container yet');
  await t.rejects(ports.allocate('tcp'), 'the dynamic host port is still taken');
  runtime.exit(id, 0);
  actor.onDockerEvent({ action: 'die', id, exitCode: 0, time: Date.now() });
  await until('resources released', () => released.length === 1);
  t.equal(await ports.allocate('tcp'), 46100, 'the port is free again once Docker confirmed the exit');
  t.equal(submitted.filter((c) => c.status === 'STOPPED').length, 1, 'Docker\'s die adds no second report');
});

t.test('a 137 from containerd may be an OOM kill: Docker decides', async (t) => {
  const { runtime, actor, submitted, id } = await runningTask(t);
  actor.onProcessEvent({ kind: 'exit', id, exitCode: 137, exitedAt: Date.now() });
  await settle();
  t.notOk(submitted.some((c) => c.status === 'STOPPED'), 'not reported from containerd');
  runtime.exit(id, 137);
  actor.onDockerEvent({ action: 'die', id, exitCode: 137, time: Date.now() });
  await until('STOPPED reported', () => submitted.some((c) => c.status === 'STOPPED'));
  t.equal(submitted.find((c) => c.status === 'STOPPED')!.input.containers?.[0]?.exitCode, 137);
});

t.test("after containerd's OOM notice, any exit waits for Docker's view", async (t) => {
  const { runtime, actor, submitted, id } = await runningTask(t);
  actor.onProcessEvent({ kind: 'oom', id });
  actor.onProcessEvent({ kind: 'exit', id, exitCode: 1, exitedAt: Date.now() });
  await settle();
  t.notOk(submitted.some((c) => c.status === 'STOPPED'), 'not reported from containerd');
  runtime.exit(id, 1);
  actor.onDockerEvent({ action: 'die', id, exitCode: 1, time: Date.now() });
  await until('STOPPED reported', () => submitted.some((c) => c.status === 'STOPPED'));
});

t.test("a lost die: the observer asks Docker itself, and confirms once Docker no longer shows the container running", async (t) => {
  const runtime = new FakeRuntime();
  const rec = taskRecord();
  const id = await runtime.createContainer({ name: 'app', body: {} });
  await runtime.startContainer(id);
  rec.state.containers[0]!.dockerId = id;
  rec.state.containers[0]!.known = 'RUNNING';
  const shutdown = new AbortController();
  t.teardown(() => shutdown.abort());
  const observer = new ContainerObserver({
    rec, runtime, signal: shutdown.signal, log: silentLogger(), closed: () => shutdown.signal.aborted,
    update: (fn) => fn(), busy: () => false, tracksHealth: () => false, confirmAfterMs: 20,
  });
  t.teardown(() => observer.close());
  observer.onProcessEvent({ kind: 'exit', id, exitCode: 2, exitedAt: Date.now() });
  t.equal(rec.state.containers[0]!.known, 'STOPPED');
  t.equal(rec.state.containers[0]!.exitCode, 2);
  t.notOk(observer.dockerCaughtUp(), 'waiting for Docker');
  await settle();
  t.notOk(observer.dockerCaughtUp(), 'Docker still shows it running: keep waiting');
  runtime.containers.get(id)!.running = false; // dockerd caught up, but its die event never reached berth
  await until('confirmed by inspect', () => observer.dockerCaughtUp());
  t.equal(rec.state.containers[0]!.exitCode, 2, 'the status never goes back');
});

t.test('exits of containers the task does not own are ignored', async (t) => {
  const { actor, submitted } = await runningTask(t);
  actor.onProcessEvent({ kind: 'exit', id: 'f'.repeat(64), exitCode: 0, exitedAt: Date.now() });
  await settle();
  t.notOk(submitted.some((c) => c.status === 'STOPPED'));
});
