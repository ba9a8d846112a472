/**
 * Where a task's cgroup lives and which files hold its limits (pure; task-cgroups.ts does the I/O).
 *
 *   v1 (one hierarchy per controller)          v2 (unified)
 *   <root>/cpu/ecs/<task-id>/                   <root>/ecstasks.slice/ecstasks-<task-id>.slice/
 *     cpu.cfs_period_us, cpu.cfs_quota_us         cpu.max "<quota> <period>" (or cpu.weight)
 *     (or cpu.shares)                             memory.max
 *   <root>/memory/ecs/<task-id>/                  pids.max
 *     memory.limit_in_bytes
 *   <root>/pids/ecs/<task-id>/pids.max
 *
 * Containers get HostConfig.CgroupParent `/ecs/<task-id>` (v1, a cgroupfs path) or `ecstasks-<task-id>.slice`
 * (v2, a systemd slice under ecstasks.slice), as the official agent sets them. Docker (runc) then makes each
 * container's own cgroup below the task's, in every controller.
 */
import path from 'node:path';
import { sharesToWeight, type TaskCgroupLimits } from './limits.js';

export type CgroupVersion = 'v1' | 'v2';

/** The official agent's roots: DefaultTaskCgroupV1Prefix and DefaultTaskCgroupV2Prefix. */
export const V1_PREFIX = 'ecs';
export const V2_SLICE_PREFIX = 'ecstasks';
export const V2_PARENT_SLICE = `${V2_SLICE_PREFIX}.slice`;
/** v1 controllers berth writes limits into (the others are made by runc below the same path). */
export const V1_CONTROLLERS = ['cpu', 'memory', 'pids'] as const;
/** v2 controllers enabled for the task slices' children. */
export const V2_CONTROLLERS = ['cpu', 'memory', 'pids'] as const;

export interface CgroupWrite {
  file: string;
  value: string;
  /** A write the kernel may refuse without harm (memory.use_hierarchy is fixed to 1 on recent kernels). */
  optional?: boolean;
}

/** The task ID: the last segment of the task ARN. */
export function taskIdOf(taskArn: string): string {
  const id = taskArn.slice(taskArn.lastIndexOf('/') + 1);
  if (id === '' || id === '.' || id === '..' || id.includes('\0')) throw new Error(`no task id in ARN ${taskArn}`);
  return id;
}

/** HostConfig.CgroupParent of the task's containers. */
export function cgroupParent(version: CgroupVersion, taskId: string): string {
  return version === 'v1' ? `/${V1_PREFIX}/${taskId}` : `${V2_SLICE_PREFIX}-${taskId}.slice`;
}

/** The cgroup root directories made at agent start (§1.4 step 6). */
export function rootDirs(version: CgroupVersion, root: string, controllers: readonly string[]): string[] {
  return version === 'v1' ? controllers.map((c) => path.join(root, c, V1_PREFIX)) : [path.join(root, V2_PARENT_SLICE)];
}

/** v2: the subtree_control writes that hand cpu, memory and pids down to the task slices. */
export function v2RootWrites(root: string): CgroupWrite[] {
  const value = V2_CONTROLLERS.map((c) => `+${c}`).join(' ');
  return [
    { file: path.join(root, 'cgroup.subtree_control'), value },
    { file: path.join(root, V2_PARENT_SLICE, 'cgroup.subtree_control'), value },
  ];
}

/** The task's cgroup directory in each controller it is made in (v1), or its one directory (v2). */
export function taskDirs(version: CgroupVersion, root: string, taskId: string, controllers: readonly string[]): string[] {
  if (version === 'v2') return [path.join(root, V2_PARENT_SLICE, `${V2_SLICE_PREFIX}-${taskId}.slice`)];
  return controllers.map((c) => path.join(root, c, V1_PREFIX, taskId));
}

/** The files to write, in order (v1 cpu: the period before the quota, which the kernel checks against it). */
export function limitWrites(version: CgroupVersion, root: string, taskId: string, limits: TaskCgroupLimits): CgroupWrite[] {
  if (version === 'v2') {
    const dir = taskDirs('v2', root, taskId, [])[0]!;
    const cpu = limits.cpu.kind === 'quota' ? { file: 'cpu.max', value: `${limits.cpu.quotaUs} ${limits.cpu.periodUs}` } : { file: 'cpu.weight', value: String(sharesToWeight(limits.cpu.shares)) };
    const out: CgroupWrite[] = [
      { file: path.join(dir, 'cgroup.subtree_control'), value: V2_CONTROLLERS.map((c) => `+${c}`).join(' ') },
      { file: path.join(dir, cpu.file), value: cpu.value },
    ];
    if (limits.memoryBytes !== undefined) out.push({ file: path.join(dir, 'memory.max'), value: String(limits.memoryBytes) });
    if (limits.pidsLimit !== undefined) out.push({ file: path.join(dir, 'pids.max'), value: String(limits.pidsLimit) });
    return out;
  }
  const at = (controller: string, file: string): string => path.join(root, controller, V1_PREFIX, taskId, file);
  const out: CgroupWrite[] =
    limits.cpu.kind === 'quota'
      ? [
          { file: at('cpu', 'cpu.cfs_period_us'), value: String(limits.cpu.periodUs) },
          { file: at('cpu', 'cpu.cfs_quota_us'), value: String(limits.cpu.quotaUs) },
        ]
      : [{ file: at('cpu', 'cpu.shares'), value: String(limits.cpu.shares) }];
  out.push({ file: at('memory', 'memory.use_hierarchy'), value: '1', optional: true });
  if (limits.memoryBytes !== undefined) out.push({ file: at('memory', 'memory.limit_in_bytes'), value: String(limits.memoryBytes) });
  if (limits.pidsLimit !== undefined) out.push({ file: at('pids', 'pids.max'), value: String(limits.pidsLimit) });
  return out;
}
