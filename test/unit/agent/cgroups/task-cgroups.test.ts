/**
 * Task cgroups on a temp directory standing in for /sys/fs/cgroup (cgroups/task-cgroups.ts): the v1 and v2
 * layouts, reuse after a restart, removal at cleanup, and the start-up decision (cgroups/startup.ts).
 */
import t, { type Test } from 'tap';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TaskCgroups } from '../../../../src/agent/cgroups/task-cgroups.js';
import { startTaskCgroups } from '../../../../src/agent/cgroups/startup.js';
import { silentLogger } from '../../../../src/shared/log.js';
import type { TaskSpec } from '../../../../src/agent/model/task.js';

const log = silentLogger();
const ARN = 'arn:aws:ecs:us-west-2:123456789012:task/cg-unit/0123456789abcdef0123456789abcdef';
const ID = '0123456789abcdef0123456789abcdef';

function fakeRoot(t: Test, version: 'v1' | 'v2'): string {
  const root = mkdtempSync(path.join(tmpdir(), 'berth-cgroot-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  if (version === 'v2') writeFileSync(path.join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
  else for (const c of ['cpu', 'cpuacct', 'memory', 'pids', 'blkio']) mkdirSync(path.join(root, c));
  return root;
}

const task = (extra: Partial<TaskSpec> = {}): TaskSpec => ({
  arn: ARN, family: 'f', version: '1', networkMode: 'bridge',
  containers: [{ name: 'a', image: 'x', cpu: 0, memory: 0, essential: true, command: undefined, entryPoint: undefined, environment: {}, portMappings: [], dockerConfig: undefined, dockerHostConfig: undefined, stopTimeoutSec: undefined }],
  ...extra,
});

const read = (p: string): string => readFileSync(p, 'utf8');

t.test('v1: /ecs/<task-id> in cpu, memory and pids holds the quota, period, memory and pids limits', async (t) => {
  const root = fakeRoot(t, 'v1');
  const cg = await TaskCgroups.init({ root, cpuPeriodMs: 50, pidsLimit: 100, log });
  t.equal(cg.version, 'v1');
  for (const c of ['cpu', 'memory', 'pids']) t.ok(existsSync(path.join(root, c, 'ecs')), `the root /ecs exists under ${c}`);
  t.equal(await cg.ensure(task({ cpu: 0.25, memory: 64 })), `/ecs/${ID}`, 'CgroupParent');
  t.equal(read(path.join(root, 'cpu/ecs', ID, 'cpu.cfs_period_us')), '50000');
  t.equal(read(path.join(root, 'cpu/ecs', ID, 'cpu.cfs_quota_us')), '12500');
  t.equal(read(path.join(root, 'memory/ecs', ID, 'memory.limit_in_bytes')), String(64 * 1024 * 1024));
  t.equal(read(path.join(root, 'pids/ecs', ID, 'pids.max')), '100');
  t.notOk(existsSync(path.join(root, 'cpu/ecs', ID, 'cpu.shares')), 'no shares with a quota');
});

t.test('v1: a task without task cpu gets shares, and no memory limit without task memory', async (t) => {
  const root = fakeRoot(t, 'v1');
  const cg = await TaskCgroups.init({ root, cpuPeriodMs: 100, pidsLimit: 0, log });
  await cg.ensure(task());
  t.equal(read(path.join(root, 'cpu/ecs', ID, 'cpu.shares')), '2');
  t.notOk(existsSync(path.join(root, 'memory/ecs', ID, 'memory.limit_in_bytes')));
  t.notOk(existsSync(path.join(root, 'pids/ecs', ID, 'pids.max')), 'pids unlimited when ECS_TASK_PIDS_LIMIT is unset');
});

t.test('concurrent creates of one task share one cgroup; a restarted agent reuses it', async (t) => {
  const root = fakeRoot(t, 'v1');
  const cg = await TaskCgroups.init({ root, cpuPeriodMs: 100, pidsLimit: 0, log });
  const spec = task({ cpu: 1 });
  const [a, b] = await Promise.all([cg.ensure(spec), cg.ensure(spec)]);
  t.equal(a, b);
  const again = await TaskCgroups.init({ root, cpuPeriodMs: 100, pidsLimit: 0, log });
  t.equal(await again.ensure(spec), `/ecs/${ID}`);
  t.equal(read(path.join(root, 'cpu/ecs', ID, 'cpu.cfs_quota_us')), '100000');
});

t.test('cleanup removes the task directory from every hierarchy (runc makes more than berth) and tolerates absence', async (t) => {
  const root = fakeRoot(t, 'v1');
  const cg = await TaskCgroups.init({ root, cpuPeriodMs: 100, pidsLimit: 0, log });
  await cg.ensure(task({ memory: 64 }));
  mkdirSync(path.join(root, 'blkio/ecs', ID), { recursive: true });
  await cg.remove(ARN);
  for (const c of ['cpu', 'memory', 'pids', 'blkio']) t.notOk(existsSync(path.join(root, c, 'ecs', ID)), `${c} task cgroup removed`);
  t.ok(existsSync(path.join(root, 'cpu/ecs')), 'the root stays for other tasks and agents');
  await t.resolves(cg.remove(ARN), 'removing again is fine');
});

t.test('v2: ecstasks.slice/ecstasks-<task-id>.slice holds cpu.max, memory.max and pids.max; controllers are delegated', async (t) => {
  const root = fakeRoot(t, 'v2');
  const cg = await TaskCgroups.init({ root, cpuPeriodMs: 100, pidsLimit: 64, log });
  t.equal(cg.version, 'v2');
  t.equal(read(path.join(root, 'cgroup.subtree_control')), '+cpu +memory +pids');
  t.equal(read(path.join(root, 'ecstasks.slice/cgroup.subtree_control')), '+cpu +memory +pids');
  t.equal(await cg.ensure(task({ cpu: 0.5, memory: 128 })), `ecstasks-${ID}.slice`, 'CgroupParent is the systemd slice');
  const dir = path.join(root, 'ecstasks.slice', `ecstasks-${ID}.slice`);
  t.equal(read(path.join(dir, 'cpu.max')), '50000 100000');
  t.equal(read(path.join(dir, 'memory.max')), String(128 * 1024 * 1024));
  t.equal(read(path.join(dir, 'pids.max')), '64');
  await cg.remove(ARN);
  t.notOk(existsSync(dir));
});

t.test('v2: without task cpu the slice gets a cpu.weight converted from the shares', async (t) => {
  const root = fakeRoot(t, 'v2');
  const cg = await TaskCgroups.init({ root, cpuPeriodMs: 100, pidsLimit: 0, log });
  const spec = task();
  spec.containers[0]!.cpu = 1024;
  await cg.ensure(spec);
  t.equal(read(path.join(root, 'ecstasks.slice', `ecstasks-${ID}.slice`, 'cpu.weight')), '39');
});

t.test('a container wanting more memory than its task fails the cgroup with ResourceInitializationError', async (t) => {
  const root = fakeRoot(t, 'v1');
  const cg = await TaskCgroups.init({ root, cpuPeriodMs: 100, pidsLimit: 0, log });
  const spec = task({ memory: 32 });
  spec.containers[0]!.memory = 64;
  await t.rejects(cg.ensure(spec), { code: 'ResourceInitializationError' });
});

t.test('start-up: no usable hierarchy turns limits off by default, and is fatal when explicitly enabled', async (t) => {
  const missing = path.join(tmpdir(), 'berth-no-cgroup-here');
  const config = { cgroupPath: missing, cgroupCpuPeriodMs: 100, taskPidsLimit: 0 };
  t.equal(await startTaskCgroups({ ...config, taskCpuMemLimit: undefined }, log), undefined, 'default: off, with a warning');
  t.equal(await startTaskCgroups({ ...config, taskCpuMemLimit: false }, log), undefined, 'false: off');
  await t.rejects(startTaskCgroups({ ...config, taskCpuMemLimit: true }, log), { code: 'ResourceInitializationError' }, 'true: the agent ends (exit 5)');
  const root = fakeRoot(t, 'v1');
  t.ok(await startTaskCgroups({ ...config, cgroupPath: root, taskCpuMemLimit: undefined }, log), 'default: on where the root can be made');
});

t.test('a pids limit without a pids hierarchy is an initialization error', async (t) => {
  const root = fakeRoot(t, 'v1');
  rmSync(path.join(root, 'pids'), { recursive: true });
  await t.rejects(TaskCgroups.init({ root, cpuPeriodMs: 100, pidsLimit: 10, log }), { code: 'ResourceInitializationError' });
  await t.resolves(TaskCgroups.init({ root, cpuPeriodMs: 100, pidsLimit: 0, log }));
});
