/**
 * Agent start, §1.4 step 6: with ECS_ENABLE_TASK_CPU_MEM_LIMIT on, initialise the task cgroup root.
 *
 *   ECS_ENABLE_TASK_CPU_MEM_LIMIT=true    a failure ends the agent with exit 5, as the official agent does
 *   unset (the default)                   a failure is logged and berth runs without task limits (and does
 *                                         not advertise task-cpu-mem-limit): a host berth cannot write the
 *                                         cgroup tree of (not root, a read-only /sys/fs/cgroup in a container)
 *                                         still runs tasks, where the official agent would not start at all
 *   false                                 no task cgroups
 */
import type { Logger } from '../../shared/log.js';
import type { AgentConfig } from '../config/config.js';
import { TaskCgroups } from './task-cgroups.js';

export async function startTaskCgroups(config: Pick<AgentConfig, 'taskCpuMemLimit' | 'cgroupPath' | 'cgroupCpuPeriodMs' | 'taskPidsLimit'>, log: Logger): Promise<TaskCgroups | undefined> {
  if (config.taskCpuMemLimit === false) return undefined;
  try {
    const cgroups = await TaskCgroups.init({ root: config.cgroupPath, cpuPeriodMs: config.cgroupCpuPeriodMs, pidsLimit: config.taskPidsLimit, log: log.child({ component: 'cgroups' }) });
    log.info({ cgroupVersion: cgroups.version, cgroupPath: config.cgroupPath }, 'task cpu and memory limits enabled');
    return cgroups;
  } catch (err) {
    if (config.taskCpuMemLimit === true) throw err;
    log.warn({ err, cgroupPath: config.cgroupPath }, 'task cpu and memory limits disabled: the cgroup root cannot be initialised (set ECS_ENABLE_TASK_CPU_MEM_LIMIT=false to silence this)');
    return undefined;
  }
}
