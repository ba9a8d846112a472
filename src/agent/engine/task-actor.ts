/**
 * One serialized actor per task: every state change (an action's outcome, a Docker event, a new desired
 * status, a sent confirmation) runs on this task's queue, so there is exactly one writer. The actor asks
 * step.ts for the next action, performs it against the runtime, persists, and emits state changes.
 *
 * Cancellation: `close()` (agent shutdown) aborts in-flight Docker calls and leaves containers running;
 * a task stop is a desired status, driven through docker stop like any other transition.
 */
import { laterTaskStatus, taskRank, type TaskStatus } from '../../shared/model/status.js';
import { BerthError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import { sleep } from '../../shared/time.js';
import type { AgentConfig } from '../config.js';
import type { PortAllocator } from '../network/port-allocator.js';
import type { ContainerEvent, ContainerRuntime } from '../runtime/runtime.js';
import type { StateStore } from '../state/store.js';
import { buildTaskStateChange, type TaskStateChange } from '../reporter/state-change.js';
import { buildCreateRequest, dockerContainerName } from './create-request.js';
import type { ContainerSpec, ContainerState, TaskRecord } from './model.js';
import { applyInspect, markVanished, recordReason } from './observe.js';
import { effectiveDesired, knownTaskStatus, nextAction, type Action } from './step.js';

export interface TaskActorOptions {
  record: TaskRecord;
  runtime: ContainerRuntime;
  store: StateStore;
  ports: PortAllocator;
  config: AgentConfig;
  submit: (change: TaskStateChange) => void;
  onCleanedUp: (taskArn: string) => void;
  log: Logger;
}

const CLEANUP_RETRY_MS = 30_000;

export class TaskActor {
  readonly arn: string;
  private readonly rec: TaskRecord;
  private readonly log: Logger;
  private chain: Promise<void> = Promise.resolve();
  private progressQueued = false;
  private readonly shutdown = new AbortController();
  private cleanupTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: TaskActorOptions) {
    this.rec = opts.record;
    this.arn = opts.record.spec.arn;
    this.log = opts.log.child({ taskArn: this.arn });
  }

  get record(): Readonly<TaskRecord> {
    return this.rec;
  }

  ownsDockerId(id: string): boolean {
    return this.rec.state.containers.some((c) => c.dockerId === id);
  }

  /** Startup after a restart: look at every saved container, then resume and re-emit unsent status. */
  resume(): void {
    this.enqueue(() => this.reconcileNow());
    this.update(async () => this.afterChange(true));
  }

  start(): void {
    this.update(async () => this.afterChange(true));
  }

  /** A later payload for a known task: only an increase of the desired status counts (§4.2). */
  raiseDesired(desired: TaskStatus): void {
    this.update(async () => {
      if (taskRank(desired) <= taskRank(this.rec.state.desired)) return;
      this.rec.state.desired = desired;
      this.opts.store.saveTask(this.rec);
    });
  }

  onDockerEvent(ev: ContainerEvent): void {
    if (!['start', 'die', 'stop', 'kill', 'oom', 'destroy'].includes(ev.action)) return;
    this.update(async () => {
      const c = this.rec.state.containers.find((x) => x.dockerId === ev.id);
      if (!c) return;
      const info = await this.opts.runtime.inspectContainer(ev.id, this.shutdown.signal);
      if (info) applyInspect(c, info);
      else markVanished(c);
      this.afterChange(false);
    });
  }

  /** Queues a look at every container (after the event stream was down). */
  reconcile(): void {
    this.update(() => this.reconcileNow());
  }

  /** Inspects every container the task has created (or may have created before a crash). */
  private reconcileNow(): Promise<void> {
    return (async () => {
      for (const c of this.rec.state.containers) {
        if (c.known === 'STOPPED') continue;
        if (c.dockerId !== undefined) {
          const info = await this.opts.runtime.inspectContainer(c.dockerId, this.shutdown.signal);
          if (info) applyInspect(c, info);
          else markVanished(c);
        } else if (c.dockerName !== undefined) {
          // Saved the name, then crashed around `docker create`: adopt the container if it exists.
          const info = await this.opts.runtime.inspectContainer(c.dockerName, this.shutdown.signal);
          if (info) applyInspect(c, info);
        }
      }
      this.afterChange(false);
    })();
  }

  markSent(change: TaskStateChange): void {
    this.enqueue(async () => {
      this.rec.state.sent = laterTaskStatus(this.rec.state.sent, change.status);
      for (const sent of change.containers) {
        const c = this.rec.state.containers.find((x) => x.name === sent.name);
        if (c) c.sent = sent.status;
      }
      this.opts.store.saveTask(this.rec);
      this.scheduleCleanup();
    });
  }

  private enqueue(fn: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.closed) return;
      try {
        await fn();
      } catch (err) {
        if (!this.closed) this.log.error({ err }, 'task actor step failed');
      }
    });
  }

  /**
   * Runs `fn` on the queue, then makes sure a progress step runs after it. The progress is queued from inside
   * the update, never beside it: a progress queued earlier has already started by then, so coalescing can
   * never leave an update (say, desired STOPPED) behind the last progress step.
   */
  private update(fn: () => Promise<void>): void {
    this.enqueue(async () => {
      try {
        await fn();
      } finally {
        this.kick();
      }
    });
  }

  private kick(): void {
    if (this.progressQueued) return;
    this.progressQueued = true;
    this.enqueue(async () => {
      this.progressQueued = false;
      await this.progress();
    });
  }

  private async progress(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const action = nextAction(this.rec);
      if (action.kind === 'wait' || action.kind === 'done') {
        this.afterChange(false);
        return;
      }
      await this.perform(action);
      this.afterChange(false);
    }
  }

  /** Folds derived state (desired, known), persists, and emits a state change when known reached RUNNING/STOPPED unsent. */
  private afterChange(reemit: boolean): void {
    const s = this.rec.state;
    s.desired = effectiveDesired(this.rec);
    const known = knownTaskStatus(this.rec);
    const changed = known !== s.known;
    if (changed) {
      s.known = known;
      this.log.info({ known }, 'task status changed');
      if (known === 'STOPPED') {
        s.stoppedAt ??= Date.now();
        this.releasePorts();
      }
    }
    this.opts.store.saveTask(this.rec);
    if ((changed || reemit) && (known === 'RUNNING' || known === 'STOPPED') && taskRank(s.sent) < taskRank(known)) {
      this.opts.submit(buildTaskStateChange(this.rec, { cluster: this.opts.config.cluster, excludeIpv6: this.opts.config.excludeIpv6PortBinding }));
    }
    if (reemit) this.scheduleCleanup();
  }

  private container(name: string): { spec: ContainerSpec; state: ContainerState } {
    const spec = this.rec.spec.containers.find((c) => c.name === name);
    const state = this.rec.state.containers.find((c) => c.name === name);
    if (!spec || !state) throw new Error(`unknown container ${name}`);
    return { spec, state };
  }

  private async perform(action: Exclude<Action, { kind: 'wait' } | { kind: 'done' }>): Promise<void> {
    const { spec, state } = this.container(action.container);
    const log = this.log.child({ container: spec.name });
    const cfg = this.opts.config;
    const signal = this.shutdown.signal;
    try {
      switch (action.kind) {
        case 'pull': {
          // Pull timestamps are reported only when a pull really happened (as the transcripts show).
          const present = cfg.imagePullBehavior !== 'always' && (await this.opts.runtime.imageExists(spec.image, signal));
          if (!present) {
            log.info({ image: spec.image }, 'pulling image');
            this.rec.state.pullStartedAt ??= Date.now();
            try {
              await this.opts.runtime.pullImage(spec.image, { timeoutMs: cfg.imagePullTimeoutMs, signal });
            } finally {
              this.rec.state.pullStoppedAt = Date.now();
            }
          }
          state.known = 'PULLED';
          return;
        }
        case 'create':
          await this.create(spec, state);
          return;
        case 'start': {
          await this.opts.runtime.startContainer(state.dockerId!, { timeoutMs: cfg.containerStartTimeoutMs, signal });
          const info = await this.opts.runtime.inspectContainer(state.dockerId!, signal);
          if (info) applyInspect(state, info);
          else markVanished(state);
          return;
        }
        case 'stop': {
          const grace = spec.stopTimeoutSec ?? Math.ceil(cfg.containerStopTimeoutMs / 1000);
          await this.opts.runtime.stopContainer(state.dockerId!, { graceSeconds: grace, signal });
          const info = await this.opts.runtime.inspectContainer(state.dockerId!, signal);
          if (info) applyInspect(state, info);
          else markVanished(state);
          if (state.known !== 'STOPPED') await sleep(1000, signal); // restarted under us; try again shortly
          return;
        }
        case 'mark-stopped':
          state.known = 'STOPPED';
          return;
      }
    } catch (err) {
      if (signal.aborted) throw err;
      log.warn({ err, action: action.kind }, 'container transition failed');
      if (action.kind === 'stop') {
        await sleep(1000, signal); // docker stop is retriable: the step will ask again
        return;
      }
      recordReason(state, err);
      // It never ran (or failed to start): nothing to stop, so it is STOPPED, and an essential one stops the task.
      if (action.kind === 'start' && state.dockerId !== undefined) {
        const info = await this.opts.runtime.inspectContainer(state.dockerId, signal).catch(() => undefined);
        if (info?.running) {
          applyInspect(state, info);
          return;
        }
      }
      state.known = 'STOPPED';
    }
  }

  private async create(spec: ContainerSpec, state: ContainerState): Promise<void> {
    const signal = this.shutdown.signal;
    if (state.dockerName === undefined) {
      state.hostPorts = [];
      for (const p of spec.portMappings) {
        state.hostPorts.push(p.hostPort !== 0 ? p.hostPort : await this.opts.ports.allocate(p.protocol));
      }
      state.dockerName = dockerContainerName(this.rec.spec, spec.name);
      this.opts.store.saveTask(this.rec); // the name is saved before create: a crash is recovered by name
    } else {
      const existing = await this.opts.runtime.inspectContainer(state.dockerName, signal);
      if (existing) {
        applyInspect(state, existing);
        return;
      }
    }
    const req = buildCreateRequest({ task: this.rec.spec, spec, state, cluster: this.opts.config.cluster });
    state.dockerId = await this.opts.runtime.createContainer(req, { timeoutMs: this.opts.config.containerCreateTimeoutMs, signal });
    state.known = 'CREATED';
  }

  private releasePorts(): void {
    for (const c of this.rec.state.containers) {
      const spec = this.rec.spec.containers.find((s) => s.name === c.name);
      spec?.portMappings.forEach((p, i) => {
        const port = c.hostPorts?.[i];
        if (p.hostPort === 0 && port !== undefined) this.opts.ports.release(port, p.protocol);
      });
    }
  }

  /** After STOPPED was sent, wait ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION (from the stop), then remove (§5.8). */
  private scheduleCleanup(delayOverride?: number): void {
    const s = this.rec.state;
    if (this.closed || this.cleanupTimer || s.known !== 'STOPPED' || s.sent !== 'STOPPED') return;
    const delay = delayOverride ?? Math.max(0, (s.stoppedAt ?? Date.now()) + this.opts.config.taskCleanupWaitMs - Date.now());
    this.cleanupTimer = setTimeout(() => {
      this.cleanupTimer = undefined;
      this.enqueue(() => this.cleanup());
    }, delay);
    this.cleanupTimer.unref();
  }

  private async cleanup(): Promise<void> {
    try {
      for (const c of this.rec.state.containers) {
        const ref = c.dockerId ?? c.dockerName;
        if (ref !== undefined) await this.opts.runtime.removeContainer(ref, this.shutdown.signal);
      }
    } catch (err) {
      if (this.closed) return;
      this.log.warn({ err: err instanceof BerthError ? err.toReason() : err }, 'task cleanup failed; retrying later');
      this.scheduleCleanup(CLEANUP_RETRY_MS);
      return;
    }
    this.opts.store.deleteTask(this.arn);
    this.log.info('task cleaned up');
    this.closed = true;
    this.opts.onCleanedUp(this.arn);
  }

  /** Agent shutdown: abort in-flight Docker calls, stop timers; containers keep running. Idempotent. */
  async close(): Promise<void> {
    if (this.cleanupTimer) clearTimeout(this.cleanupTimer);
    this.cleanupTimer = undefined;
    if (!this.closed) {
      this.closed = true;
      this.shutdown.abort(new Error('agent shutting down'));
    }
    await this.chain;
  }
}
