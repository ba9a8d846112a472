/**
 * Task-level cgroups (the official agent's cgroup task resource, §5.5 "container -> PULLED: cgroup resource
 * CREATED"): the root is made once at agent start; each task's cgroup is made (or reused, after a restart)
 * before its first container is created, carries the task's cpu / memory / pids limits, and is removed at
 * task cleanup. Every task has its own directory, so any number of agents on one host never collide.
 */
import { constants } from 'node:fs';
import { access, mkdir, readdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BerthError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import type { TaskSpec } from '../model/task.js';
import { taskCgroupLimits } from './limits.js';
import { cgroupParent, limitWrites, rootDirs, taskDirs, taskIdOf, V1_CONTROLLERS, V1_PREFIX, v2RootWrites, type CgroupVersion, type CgroupWrite } from './layout.js';

export interface TaskCgroupsOptions {
  /** ECS_CGROUP_PATH: where the cgroup hierarchy is mounted. */
  root: string;
  /** ECS_CGROUP_CPU_PERIOD in milliseconds. */
  cpuPeriodMs: number;
  /** ECS_TASK_PIDS_LIMIT; 0 = unlimited. */
  pidsLimit: number;
  log: Logger;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** v2 when the root is the unified hierarchy; v1 when cpu and memory hierarchies are mounted; else none. */
export async function detectCgroupVersion(root: string): Promise<CgroupVersion | undefined> {
  if (await exists(path.join(root, 'cgroup.controllers'))) return 'v2';
  if ((await exists(path.join(root, 'cpu'))) && (await exists(path.join(root, 'memory')))) return 'v1';
  return undefined;
}

async function write(w: CgroupWrite): Promise<void> {
  try {
    await writeFile(w.file, w.value);
  } catch (err) {
    if (w.optional) return;
    throw new BerthError('ResourceInitializationError', `cgroup resource: unable to write ${w.value} to ${w.file}: ${(err as Error).message}`);
  }
}

/** rmdir bottom-up (a cgroup directory holds only cgroup files, which rmdir ignores); absent is fine. */
async function removeTree(dir: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const e of entries) if (e.isDirectory()) await removeTree(path.join(dir, e.name));
  try {
    await rmdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    // A plain directory (tests use one as the cgroup root) still holds the limit files: a real cgroup never does.
    if (code === 'ENOTEMPTY' && !(await exists(path.join(dir, 'cgroup.procs')))) {
      await rm(dir, { recursive: true, force: true });
      return;
    }
    throw err;
  }
}

export class TaskCgroups {
  /** Task cgroups being made, by task ARN: concurrent creates of one task's containers share one. */
  private readonly pending = new Map<string, Promise<string>>();

  private constructor(
    private readonly opts: TaskCgroupsOptions,
    readonly version: CgroupVersion,
    /** v1: the controllers the task cgroup is made in (pids only where it is mounted). */
    private readonly controllers: readonly string[],
  ) {}

  /**
   * Makes the cgroup root (`/ecs` per v1 controller, or `ecstasks.slice` on v2) and checks that berth may write
   * there. A ResourceInitializationError when the host has no usable hierarchy (the caller decides: exit 5, or
   * run without task limits).
   */
  static async init(opts: TaskCgroupsOptions): Promise<TaskCgroups> {
    const version = await detectCgroupVersion(opts.root);
    if (!version) throw new BerthError('ResourceInitializationError', `no cgroup v1 (cpu, memory) or v2 hierarchy at ${opts.root}`);
    const controllers: string[] = [];
    if (version === 'v1') {
      for (const c of V1_CONTROLLERS) if (await exists(path.join(opts.root, c))) controllers.push(c);
      if (opts.pidsLimit > 0 && !controllers.includes('pids')) {
        throw new BerthError('ResourceInitializationError', `ECS_TASK_PIDS_LIMIT is set but no pids cgroup hierarchy is mounted at ${opts.root}`);
      }
    }
    try {
      for (const dir of rootDirs(version, opts.root, controllers)) {
        await mkdir(dir, { recursive: true });
        await access(dir, constants.W_OK);
      }
    } catch (err) {
      throw new BerthError('ResourceInitializationError', `unable to initialize the task cgroup root under ${opts.root}: ${(err as Error).message}`);
    }
    if (version === 'v2') for (const w of v2RootWrites(opts.root)) await write(w);
    return new TaskCgroups(opts, version, controllers);
  }

  /** HostConfig.CgroupParent for the task's containers. */
  parentOf(taskArn: string): string {
    return cgroupParent(this.version, taskIdOf(taskArn));
  }

  /**
   * Makes the task's cgroup with its limits, or reuses the one a previous agent made (the limits are written
   * again: they are the task's, so the values are the same). Resolves with the CgroupParent.
   */
  ensure(task: TaskSpec): Promise<string> {
    let p = this.pending.get(task.arn);
    if (!p) {
      p = this.create(task);
      this.pending.set(task.arn, p);
      p.catch(() => this.pending.delete(task.arn));
    }
    return p;
  }

  private async create(task: TaskSpec): Promise<string> {
    const limits = taskCgroupLimits(task, { cpuPeriodMs: this.opts.cpuPeriodMs, pidsLimit: this.opts.pidsLimit });
    const id = taskIdOf(task.arn);
    for (const dir of taskDirs(this.version, this.opts.root, id, this.controllers)) {
      try {
        await mkdir(dir, { recursive: true });
      } catch (err) {
        throw new BerthError('ResourceInitializationError', `cgroup resource: unable to create cgroup ${dir}: ${(err as Error).message}`);
      }
    }
    for (const w of limitWrites(this.version, this.opts.root, id, limits)) await write(w);
    this.opts.log.debug({ taskArn: task.arn, limits }, 'task cgroup ready');
    return this.parentOf(task.arn);
  }

  /**
   * Task cleanup (§5.8): the task's directory in every hierarchy (runc makes it in controllers berth never
   * writes to, e.g. blkio or freezer). Absent directories are fine; Docker removed the containers' own.
   */
  async remove(taskArn: string): Promise<void> {
    this.pending.delete(taskArn);
    const id = taskIdOf(taskArn);
    if (this.version === 'v2') {
      for (const dir of taskDirs('v2', this.opts.root, id, [])) await removeTree(dir);
      return;
    }
    const hierarchies = await readdir(this.opts.root, { withFileTypes: true }).catch(() => []);
    for (const h of hierarchies) {
      if (!h.isDirectory() && !h.isSymbolicLink()) continue;
      await removeTree(path.join(this.opts.root, h.name, V1_PREFIX, id));
    }
  }
}
