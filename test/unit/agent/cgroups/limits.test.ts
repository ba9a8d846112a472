/** The task cgroup's limit arithmetic (cgroups/limits.ts), as the official agent's task_linux.go computes it. */
import t from 'tap';
import { sharesToWeight, taskCgroupLimits } from '../../../../src/agent/cgroups/limits.js';
import type { ContainerSpec } from '../../../../src/agent/model/task.js';

const c = (cpu: number, memory = 0): ContainerSpec => ({
  name: `c${cpu}-${memory}`, image: 'x', cpu, memory, essential: true, command: undefined, entryPoint: undefined,
  environment: {}, portMappings: [], dockerConfig: undefined, dockerHostConfig: undefined, stopTimeoutSec: undefined,
});

t.test('task vCPUs become a CFS quota over the configured period, truncated like Go', async (t) => {
  t.same(taskCgroupLimits({ cpu: 0.25, containers: [c(0)] }, { cpuPeriodMs: 100, pidsLimit: 0 }).cpu, { kind: 'quota', quotaUs: 25_000, periodUs: 100_000 });
  t.same(taskCgroupLimits({ cpu: 2, containers: [c(0)] }, { cpuPeriodMs: 10, pidsLimit: 0 }).cpu, { kind: 'quota', quotaUs: 20_000, periodUs: 10_000 });
  t.same(taskCgroupLimits({ cpu: 0.333, containers: [c(0)] }, { cpuPeriodMs: 50, pidsLimit: 0 }).cpu, { kind: 'quota', quotaUs: 16_650, periodUs: 50_000 });
  // increased-task-cpu-limit: no 10 vCPU ceiling any more.
  t.same(taskCgroupLimits({ cpu: 16, containers: [c(0)] }, { cpuPeriodMs: 100, pidsLimit: 0 }).cpu, { kind: 'quota', quotaUs: 1_600_000, periodUs: 100_000 });
});

t.test('without task vCPUs the cgroup gets the sum of container shares, each at least 2', async (t) => {
  t.same(taskCgroupLimits({ containers: [c(0), c(1), c(512)] }, { cpuPeriodMs: 100, pidsLimit: 0 }).cpu, { kind: 'shares', shares: 516 });
  t.same(taskCgroupLimits({ cpu: 0, containers: [c(0)] }, { cpuPeriodMs: 100, pidsLimit: 0 }).cpu, { kind: 'shares', shares: 2 });
});

t.test('task memory becomes a hard limit in bytes, and none without task memory', async (t) => {
  t.equal(taskCgroupLimits({ memory: 64, containers: [c(0, 32), c(0)] }, { cpuPeriodMs: 100, pidsLimit: 0 }).memoryBytes, 64 * 1024 * 1024);
  t.equal(taskCgroupLimits({ containers: [c(0, 32)] }, { cpuPeriodMs: 100, pidsLimit: 0 }).memoryBytes, undefined);
});

t.test('a container asking for more memory than its task is a resource initialization error', async (t) => {
  t.throws(() => taskCgroupLimits({ memory: 64, containers: [c(0, 128)] }, { cpuPeriodMs: 100, pidsLimit: 0 }), {
    code: 'ResourceInitializationError',
    message: /container memory limit\(128\) greater than task memory limit\(64\)/,
  });
});

t.test('the pids limit applies only when set', async (t) => {
  t.equal(taskCgroupLimits({ containers: [] }, { cpuPeriodMs: 100, pidsLimit: 100 }).pidsLimit, 100);
  t.equal(taskCgroupLimits({ containers: [] }, { cpuPeriodMs: 100, pidsLimit: 0 }).pidsLimit, undefined);
});

t.test('v2 weights follow runc: 2 shares -> 1, 1024 -> 39, 262144 -> 10000', async (t) => {
  t.equal(sharesToWeight(2), 1);
  t.equal(sharesToWeight(1024), 39);
  t.equal(sharesToWeight(262_144), 10_000);
});
