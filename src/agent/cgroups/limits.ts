/**
 * The task cgroup's limits, computed like the official agent's Linux task (task_linux.go, §3 task `cpu` and
 * `memory`):
 *
 *   task cpu > 0 (vCPUs)    CFS period = ECS_CGROUP_CPU_PERIOD, quota = trunc(vCPUs x period)
 *   no task cpu             cpu shares = sum over containers of max(container cpu, 2)
 *   task memory > 0 (MiB)   hard limit in bytes; a container asking for more than the task is an error
 *   ECS_TASK_PIDS_LIMIT > 0 pids.max
 *
 * Pure: the file writes are in layout.ts, the I/O in task-cgroups.ts.
 */
import { BerthError } from '../../shared/errors.js';
import type { TaskSpec } from '../model/task.js';

export const BYTES_PER_MIB = 1024 * 1024;
/** Linux refuses 1 share; the official agent never asks for fewer than 2 per container. */
export const MIN_CPU_SHARES = 2;
/** ECS_CGROUP_CPU_PERIOD bounds, as the official agent enforces them (out of range -> the 100ms default). */
export const MIN_CPU_PERIOD_MS = 8;
export const MAX_CPU_PERIOD_MS = 100;
/** runc's ceiling for pids.max on Amazon Linux (4 * 1024 * 1024); the official agent ignores larger values. */
export const MAX_TASK_PIDS_LIMIT = 4_194_304;

export type TaskCpuLimit = { kind: 'quota'; quotaUs: number; periodUs: number } | { kind: 'shares'; shares: number };

export interface TaskCgroupLimits {
  cpu: TaskCpuLimit;
  /** undefined: no task memory, the cgroup's memory is not limited. */
  memoryBytes: number | undefined;
  /** undefined: no pids limit. */
  pidsLimit: number | undefined;
}

export interface LimitOptions {
  /** ECS_CGROUP_CPU_PERIOD in milliseconds. */
  cpuPeriodMs: number;
  /** ECS_TASK_PIDS_LIMIT; 0 = unlimited. */
  pidsLimit: number;
}

/** The task's cgroup limits; a ResourceInitializationError when a container wants more memory than the task. */
export function taskCgroupLimits(task: Pick<TaskSpec, 'cpu' | 'memory' | 'containers'>, opts: LimitOptions): TaskCgroupLimits {
  return {
    cpu: cpuLimit(task, opts.cpuPeriodMs),
    memoryBytes: memoryLimit(task),
    pidsLimit: opts.pidsLimit > 0 ? opts.pidsLimit : undefined,
  };
}

function cpuLimit(task: Pick<TaskSpec, 'cpu' | 'containers'>, periodMs: number): TaskCpuLimit {
  if (task.cpu !== undefined && task.cpu > 0) {
    const periodUs = Math.round(periodMs * 1000);
    // Go's int64(float64) truncates: 0.25 vCPU over 100ms is 25000us.
    return { kind: 'quota', quotaUs: Math.trunc(task.cpu * periodUs), periodUs };
  }
  const shares = task.containers.reduce((sum, c) => sum + Math.max(c.cpu, MIN_CPU_SHARES), 0);
  return { kind: 'shares', shares: Math.max(shares, MIN_CPU_SHARES) };
}

function memoryLimit(task: Pick<TaskSpec, 'memory' | 'containers'>): number | undefined {
  if (task.memory === undefined || task.memory <= 0) return undefined;
  for (const c of task.containers) {
    if (c.memory > task.memory) {
      throw new BerthError(
        'ResourceInitializationError',
        `cgroup resource: unable to build resource spec for task: task memory spec builder: container memory limit(${c.memory}) greater than task memory limit(${task.memory})`,
      );
    }
  }
  return task.memory * BYTES_PER_MIB;
}

/** cgroup v2 cpu.weight from v1 shares: runc's conversion, [2, 262144] -> [1, 10000]. */
export function sharesToWeight(shares: number): number {
  if (shares <= 0) return 100;
  return 1 + Math.floor(((Math.min(shares, 262_144) - 2) * 9999) / 262_142);
}
