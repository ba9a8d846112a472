/**
 * What happens to a task after it stopped: the awsvpc network is released at once (CNI DEL, the pause
 * container), and once STOPPED was sent and ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION passed (§5.8), its
 * containers, task volumes and metadata files are removed and its record deleted. A failed step is retried.
 */
import { BerthError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import type { AgentConfig } from '../config/config.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { StateStore } from '../state/store.js';
import type { TaskNetworkHook } from '../network/awsvpc/task-network.js';
import type { ImageManager } from './images.js';
import type { ContainerMetadataFiles } from './metadata-file.js';
import type { TaskRecord } from '../model/task.js';
import { removeTaskResources } from './volumes.js';
import type { TaskCgroups } from '../cgroups/task-cgroups.js';
import type { Clock, TimerHandle } from '../../shared/clock.js';

export interface TaskTeardownOptions {
  rec: TaskRecord;
  runtime: ContainerRuntime;
  store: StateStore;
  images: ImageManager;
  config: AgentConfig;
  network: TaskNetworkHook | undefined;
  metadataFiles: ContainerMetadataFiles | undefined;
  /** Task cgroups (ECS_ENABLE_TASK_CPU_MEM_LIMIT): the task's is removed at cleanup. */
  cgroups?: TaskCgroups | undefined;
  signal: AbortSignal;
  log: Logger;
  clock: Clock;
  /** Uniform in [0, 1), for the cleanup jitter; Math.random when omitted (tests inject their own). */
  random?: () => number;
  closed: () => boolean;
  /** Runs `fn` on the task's queue. */
  enqueue: (fn: () => Promise<void> | void) => void;
  /** Everything is removed: the actor ends. */
  onCleanedUp: () => void;
}

const CLEANUP_RETRY_MS = 30_000;

export class TaskTeardown {
  private cleanupTimer: TimerHandle | undefined;
  /** awsvpc teardown in flight (CNI DEL, pause container removal). */
  private networkRelease: Promise<void> | undefined;

  constructor(private readonly opts: TaskTeardownOptions) {}

  /**
   * awsvpc: after the task stopped, CNI DEL and the pause container's removal (off the queue; the record is
   * only read). Then marked released and saved; a failure is retried by cleanup and by the next agent.
   */
  releaseNetwork(): Promise<void> {
    const { rec, network: hook } = this.opts;
    const n = rec.state.network;
    if (!hook || !n || n.released || (n.pauseName === undefined && n.pauseId === undefined)) return Promise.resolve();
    this.networkRelease ??= hook.teardown(rec, this.opts.signal).then(
      () => {
        // Not awaited on the queue: cleanup (itself on the queue) waits for this promise.
        n.released = true;
        this.opts.enqueue(() => this.opts.store.saveTask(rec));
      },
      (err: unknown) => {
        if (!this.opts.closed()) this.opts.log.warn({ err }, 'task network teardown failed; retrying at cleanup');
        this.networkRelease = undefined;
      },
    );
    return this.networkRelease;
  }

  /**
   * After STOPPED was sent, wait ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION + U(0, ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER)
   * from the stop, then remove (§5.8). The jitter spreads the removals of tasks that stopped together.
   */
  scheduleCleanup(delayOverride?: number): void {
    const s = this.opts.rec.state;
    if (this.opts.closed() || this.cleanupTimer || s.known !== 'STOPPED' || s.sent !== 'STOPPED') return;
    const now = this.opts.clock.now();
    const { taskCleanupWaitMs, taskCleanupWaitJitterMs } = this.opts.config;
    const jitter = taskCleanupWaitJitterMs > 0 ? Math.floor((this.opts.random ?? Math.random)() * taskCleanupWaitJitterMs) : 0;
    const delay = delayOverride ?? Math.max(0, (s.stoppedAt ?? now) + taskCleanupWaitMs + jitter - now);
    this.cleanupTimer = this.opts.clock.setTimeout(() => {
      this.cleanupTimer = undefined;
      this.opts.enqueue(() => this.cleanup());
    }, delay);
  }

  close(): void {
    if (this.cleanupTimer) this.opts.clock.clearTimeout(this.cleanupTimer);
    this.cleanupTimer = undefined;
  }

  /** Like the official agent, a cgroup that cannot be removed only warns: the containers are gone already. */
  private async removeCgroup(): Promise<void> {
    try {
      await this.opts.cgroups?.remove(this.opts.rec.spec.arn);
    } catch (err) {
      this.opts.log.warn({ err }, 'task cgroup not removed');
    }
  }

  private async cleanup(): Promise<void> {
    const { rec } = this.opts;
    try {
      await this.releaseNetwork();
      if (rec.state.network && this.opts.network && !rec.state.network.released && rec.state.network.pauseName !== undefined) {
        throw new Error('task network not torn down yet');
      }
      await removeTaskResources({ rec, runtime: this.opts.runtime, images: this.opts.images, signal: this.opts.signal });
      await this.opts.metadataFiles?.clean(rec.spec.arn);
      await this.removeCgroup();
    } catch (err) {
      if (this.opts.closed()) return;
      this.opts.log.warn({ err: err instanceof BerthError ? err.toReason() : err }, 'task cleanup failed; retrying later');
      this.scheduleCleanup(CLEANUP_RETRY_MS);
      return;
    }
    this.opts.store.deleteTask(rec.spec.arn);
    this.opts.log.info('task cleaned up');
    this.opts.onCleanedUp();
  }
}
