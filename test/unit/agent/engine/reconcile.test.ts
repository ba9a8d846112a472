/**
 * Restart reconciliation with berth's own runtime port faked (no Docker): crashes between saving the Docker
 * name and `docker create`, half-made duplicates, other agents' containers, vanished containers, relist.
 */
import t, { type Test } from 'tap';
import { TaskManager } from '../../../../src/agent/engine/task-manager.js';
import { planAdoption } from '../../../../src/agent/engine/reconcile.js';
import { parseTaskSpec } from '../../../../src/agent/engine/parse-task.js';
import { StateStore } from '../../../../src/agent/state/store.js';
import { loadConfig } from '../../../../src/agent/config/config.js';
import type { TaskStateChange } from '../../../../src/agent/reporter/state-change.js';
import type { ContainerSummary, CreateContainerRequest } from '../../../../src/agent/runtime/runtime.js';
import type { AcsTask } from '../../../../src/shared/protocol/acs.js';
import type { TaskRecord } from '../../../../src/agent/model/task.js';
import { FakeRuntime } from '../../../kit/fake-runtime.js';
import { eventually } from '../../../kit/fake-control-plane.js';
import { taskArn, tempDataDir, testLogger, webTask } from '../../../kit/agent-harness.js';

const CLUSTER = 'dur-reconcile';
const config = loadConfig(
  { AWS_DEFAULT_REGION: 'us-west-2', ECS_CLUSTER: CLUSTER, ECS_DYNAMIC_HOST_PORT_RANGE: '53900-53949', BERTH_RELIST_INTERVAL: '100ms', ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1h' },
  { configFile: '/nonexistent/x' },
);

const hang = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('agent killed')), { once: true }));

/** The fake runtime with labels, a label filter, and a create that can "crash" before or after Docker acts. */
class CrashableRuntime extends FakeRuntime {
  readonly labelsOf = new Map<string, Record<string, string>>();
  createMode: 'normal' | 'hang-before' | 'hang-after' = 'normal';
  creates = 0;

  override async createContainer(req: CreateContainerRequest, opts?: { timeoutMs: number; signal: AbortSignal }): Promise<string> {
    this.creates++;
    if (this.createMode === 'hang-before') return hang(opts!.signal);
    const id = await super.createContainer(req);
    this.labelsOf.set(id, (req.body['Labels'] as Record<string, string> | undefined) ?? {});
    if (this.createMode === 'hang-after') return hang(opts!.signal);
    return id;
  }

  async listContainers(labels: Record<string, string>): Promise<ContainerSummary[]> {
    return [...this.containers.values()]
      .map((c) => ({ id: c.id, name: c.name, running: c.running, labels: this.labelsOf.get(c.id) ?? {} }))
      .filter((c) => Object.entries(labels).every(([k, v]) => c.labels[k] === v));
  }
}

function engineOn(t: Test, runtime: CrashableRuntime, dataDir: string) {
  const store = new StateStore({ dataDir });
  const submitted: TaskStateChange[] = [];
  const engine = new TaskManager({ runtime, store, config, submit: (c) => submitted.push(c), log: testLogger() });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await engine.close();
    store.close();
  };
  t.teardown(close);
  return { engine, store, submitted, close };
}

const spec = (arn: string) => parseTaskSpec(webTask(arn, 'RUNNING') as AcsTask);
const containersOf = (rt: CrashableRuntime, arn: string) => [...rt.containers.values()].filter((c) => rt.labelsOf.get(c.id)?.['com.amazonaws.ecs.task-arn'] === arn);

t.test('killed after saving the Docker name but before docker create: the restarted engine creates the container once', async (t) => {
  const runtime = new CrashableRuntime();
  const dir = tempDataDir(t);
  const arn = taskArn(CLUSTER);
  const first = engineOn(t, runtime, dir);
  await first.engine.start();
  runtime.createMode = 'hang-before';
  first.engine.addTask(spec(arn), 'RUNNING');
  await eventually('create called', () => runtime.creates === 1);
  const saved = first.store.loadTasks()[0]!.state.containers[0]!;
  t.ok(saved.dockerName, 'the name was durable before create was called');
  t.equal(saved.dockerId, undefined);
  await first.close();

  runtime.createMode = 'normal';
  const second = engineOn(t, runtime, dir);
  await second.engine.start();
  await eventually('RUNNING reported', () => second.submitted.find((c) => c.status === 'RUNNING'));
  t.equal(containersOf(runtime, arn).length, 1, 'exactly one container');
  t.equal(containersOf(runtime, arn)[0]!.name, saved.dockerName, 'under the saved name');
});

t.test('killed after docker create but before its ID was saved: the restarted engine adopts the container by name', async (t) => {
  const runtime = new CrashableRuntime();
  const dir = tempDataDir(t);
  const arn = taskArn(CLUSTER);
  const first = engineOn(t, runtime, dir);
  await first.engine.start();
  runtime.createMode = 'hang-after';
  first.engine.addTask(spec(arn), 'RUNNING');
  await eventually('container created', () => containersOf(runtime, arn).length === 1);
  await first.close();

  runtime.createMode = 'normal';
  const second = engineOn(t, runtime, dir);
  await second.engine.start();
  await eventually('RUNNING reported', () => second.submitted.find((c) => c.status === 'RUNNING'));
  t.equal(runtime.creates, 1, 'docker create was not called again');
  t.equal(containersOf(runtime, arn).length, 1);
  t.equal(second.store.loadTasks()[0]!.state.containers[0]!.dockerId, containersOf(runtime, arn)[0]!.id, 'the ID is saved now');
});

t.test('a half-made duplicate of a known task container is removed; containers of unknown tasks are never touched', async (t) => {
  const runtime = new CrashableRuntime();
  const dir = tempDataDir(t);
  const arn = taskArn(CLUSTER);
  const first = engineOn(t, runtime, dir);
  await first.engine.start();
  first.engine.addTask(spec(arn), 'RUNNING');
  await eventually('RUNNING', () => first.submitted.find((c) => c.status === 'RUNNING'));
  await first.close();

  const labels = (a: string) => ({ 'com.amazonaws.ecs.task-arn': a, 'com.amazonaws.ecs.container-name': 'web', 'com.amazonaws.ecs.cluster': CLUSTER });
  const dupId = await runtime.createContainer({ name: 'ecs-berth-web-3-web-leftover', body: { Labels: labels(arn) } });
  const foreignArn = taskArn(CLUSTER);
  const foreignId = await runtime.createContainer({ name: 'ecs-berth-web-3-web-otheragent', body: { Labels: labels(foreignArn) } });
  const second = engineOn(t, runtime, dir);
  await second.engine.start();
  t.notOk(runtime.containers.has(dupId), 'the duplicate is gone');
  t.ok(runtime.containers.has(foreignId), "another agent's container is untouched");
  t.equal(containersOf(runtime, arn).length, 1, 'the saved container stays');
  t.notOk(runtime.calls.some((c) => c.includes(foreignId)), 'no call at all touched the foreign container');
});

t.test('a saved container that vanished is reported STOPPED with ContainerVanishedError', async (t) => {
  const runtime = new CrashableRuntime();
  const dir = tempDataDir(t);
  const arn = taskArn(CLUSTER);
  const first = engineOn(t, runtime, dir);
  await first.engine.start();
  first.engine.addTask(spec(arn), 'RUNNING');
  await eventually('RUNNING', () => first.submitted.find((c) => c.status === 'RUNNING'));
  await first.close();
  runtime.containers.clear();

  const second = engineOn(t, runtime, dir);
  await second.engine.start();
  const stopped = await eventually('STOPPED', () => second.submitted.find((c) => c.status === 'STOPPED'));
  t.match(stopped.input.containers?.[0]?.reason, /^ContainerVanishedError/);
  t.equal(runtime.creates, 1, 'nothing was re-created');
});

t.test('the periodic relist notices a container that stopped without an event', async (t) => {
  const runtime = new CrashableRuntime();
  const arn = taskArn(CLUSTER);
  const { engine, submitted } = engineOn(t, runtime, tempDataDir(t));
  await engine.start();
  engine.addTask(spec(arn), 'RUNNING');
  await eventually('RUNNING', () => submitted.find((c) => c.status === 'RUNNING'));
  const c = containersOf(runtime, arn)[0]!;
  c.running = false;
  c.exitCode = 3;
  c.finishedAt = Date.now();
  const stopped = await eventually('STOPPED via relist', () => submitted.find((x) => x.status === 'STOPPED'), 5000);
  t.equal(stopped.input.containers?.[0]?.exitCode, 3);
});

t.test('planAdoption keeps saved IDs, adopts saved names, removes other copies and counts foreign containers', async (t) => {
  const rec = (arn: string, dockerId: string | undefined, dockerName: string): TaskRecord =>
    ({ spec: { arn }, state: { containers: [{ name: 'web', dockerId, dockerName }] } }) as unknown as TaskRecord;
  const c = (id: string, name: string, arn: string, container = 'web'): ContainerSummary => ({
    id, name, running: true, labels: { 'com.amazonaws.ecs.task-arn': arn, 'com.amazonaws.ecs.container-name': container },
  });
  const plan = planAdoption(
    [rec('A', 'id-a', 'name-a'), rec('B', undefined, 'name-b')],
    [c('id-a', 'name-a', 'A'), c('id-a2', 'name-a2', 'A'), c('id-b', 'name-b', 'B'), c('id-x', 'name-x', 'X'), c('id-p', 'pause', 'A', '~internal~pause')],
  );
  t.same(plan.adopt, [{ taskArn: 'B', container: 'web', dockerId: 'id-b' }]);
  t.same(plan.remove.map((r) => r.id), ['id-a2']);
  t.equal(plan.foreign, 1);
});
