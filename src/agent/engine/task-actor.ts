/**
 * One serialized actor per task: every state change (an action's outcome, a Docker event, a new desired
 * status, a sent confirmation) runs on this task's queue, so there is exactly one writer. A progress step asks
 * step.ts for every permitted transition and starts them all; each runs its Docker calls off the queue and
 * folds its outcome back in through the queue, which plans again (§5.4 steps 3-4).
 *
 * Cancellation: `close()` (agent shutdown) aborts in-flight Docker calls and leaves containers running;
 * a task stop is a desired status, driven through docker stop like any other transition.
 */
import { laterTaskStatus, taskRank, type TaskStatus } from '../../shared/model/status.js';
import type { Logger } from '../../shared/log.js';
import type { AgentConfig } from '../config/config.js';
import type { PortAllocator } from '../network/port-allocator.js';
import type { ContainerEvent, ContainerRuntime, ProcessEvent } from '../runtime/runtime.js';
import type { StateStore } from '../state/store.js';
import type { TaskStateChange } from '../reporter/state-change.js';
import { ChangeEmitter } from '../reporter/change-emitter.js';
import { releaseTaskPorts } from './task-ports.js';
import { ImageManager } from './images.js';
import type { ContainerState, TaskRecord } from '../model/task.js';
import { applyInspect, markVanished } from './observe.js';
import { effectiveDesired, knownTaskStatus, planTask, PROVISION, type ContainerAction, type DependencyFailure, type TaskAction } from './step.js';
import * as transitions from './transitions.js';
import { TaskTeardown } from './task-teardown.js';
import { RecordWriter } from './record-writer.js';
import { ContainerObserver } from './container-observer.js';
import type { TaskNetworkHook } from '../network/awsvpc/task-network.js';
import type { ContainerMetadataFiles } from './metadata-file.js';
import type { TaskCgroups } from '../cgroups/task-cgroups.js';
import type { IAMRoleCredentials } from '../../shared/protocol/acs.js';
import { realClock, type Clock, type TimerHandle } from '../../shared/clock.js';

export interface TaskActorOptions {
  record: TaskRecord;
  runtime: ContainerRuntime;
  store: StateStore;
  ports: PortAllocator;
  config: AgentConfig;
  submit: (change: TaskStateChange) => void;
  onCleanedUp: (taskArn: string) => void;
  /** The task reached known STOPPED (host resources are released then). */
  onStopped?: (taskArn: string) => void;
  log: Logger;
  /** Shared by all tasks of an agent; a private one when omitted (tests). */
  images?: ImageManager;
  /** Durable write batched across tasks (save-batcher.ts); a direct write when omitted. */
  saveDurably?: (rec: TaskRecord) => Promise<void>;
  /** False: the task waits for host resources until `admit()` (§4.4). */
  admitted?: boolean;
  /** awsvpc networking (pause container, ENI, ecs-bridge); undefined when the agent cannot do awsvpc. */
  network?: TaskNetworkHook | undefined;
  /** ECS_ENABLE_CONTAINER_METADATA: per-container metadata files, removed at cleanup. */
  metadataFiles?: ContainerMetadataFiles | undefined;
  /** Task cpu/memory limits (ECS_ENABLE_TASK_CPU_MEM_LIMIT): the task's cgroup; undefined when off. */
  cgroups?: TaskCgroups | undefined;
  /** The task's execution role credentials (CredentialsStore, memory only): per-container registry credentials. */
  executionCredentials?: ((taskArn: string) => IAMRoleCredentials | undefined) | undefined;
  clock?: Clock;
}


export class TaskActor {
  readonly arn: string;
  private readonly rec: TaskRecord;
  private readonly log: Logger;
  private readonly images: ImageManager;
  private readonly clock: Clock;
  private chain: Promise<void> = Promise.resolve();
  private progressQueued = false;
  private readonly shutdown = new AbortController();
  /** Transitions in flight, by container name (or PROVISION). */
  private readonly busy = new Map<string, Promise<void>>();
  private readonly emitter: ChangeEmitter;
  private admitted: boolean;
  private wakeTimer: TimerHandle | undefined;
  private closed = false;
  private readonly writer: RecordWriter;
  private readonly observer: ContainerObserver;
  /** Known STOPPED in this process: ports, network and host resources are released once Docker caught up. */
  private releasePending = false;
  private readonly teardown: TaskTeardown;

  constructor(private readonly opts: TaskActorOptions) {
    this.rec = opts.record;
    this.arn = opts.record.spec.arn;
    this.log = opts.log.child({ taskArn: this.arn });
    this.images = opts.images ?? new ImageManager({ runtime: opts.runtime, config: opts.config, log: this.log });
    this.admitted = opts.admitted ?? true;
    this.writer = new RecordWriter(this.rec, opts.store);
    this.emitter = new ChangeEmitter({ cluster: opts.config.cluster, excludeIpv6: opts.config.excludeIpv6PortBinding, submit: opts.submit });
    this.observer = new ContainerObserver({
      rec: this.rec,
      runtime: opts.runtime,
      signal: this.shutdown.signal,
      log: this.log,
      closed: () => this.closed,
      update: (fn) => this.update(fn),
      busy: (name) => this.busy.has(name),
      tracksHealth: (c) => this.tracksHealth(c),
    });
    this.clock = opts.clock ?? realClock;
    this.teardown = new TaskTeardown({
      rec: this.rec,
      runtime: opts.runtime,
      store: opts.store,
      images: this.images,
      config: opts.config,
      network: opts.network,
      metadataFiles: opts.metadataFiles,
      cgroups: opts.cgroups,
      signal: this.shutdown.signal,
      log: this.log,
      clock: this.clock,
      closed: () => this.closed,
      enqueue: (fn) => this.enqueue(fn),
      onCleanedUp: () => {
        this.writer.cancel();
        this.closed = true;
        this.opts.onCleanedUp(this.arn);
      },
    });
  }

  get record(): Readonly<TaskRecord> {
    return this.rec;
  }

  /** The task's containers and its pause container (awsvpc). */
  ownsDockerId(id: string): boolean {
    return this.rec.state.containers.some((c) => c.dockerId === id) || this.rec.state.network?.pauseId === id;
  }

  /** Startup after a restart: look at every saved container, then resume and re-emit unsent status. */
  resume(): void {
    this.enqueue(() => this.reconcileNow());
    this.update(async () => this.afterChange(true));
  }

  start(): void {
    this.update(async () => this.afterChange(true));
  }

  /** Host resources are available: the task may move up. */
  admit(): void {
    this.update(async () => {
      this.admitted = true;
    });
  }

  /** A later payload for a known task: only an increase of the desired status counts (§4.2). */
  raiseDesired(desired: TaskStatus): void {
    this.update(async () => {
      if (taskRank(desired) <= taskRank(this.rec.state.desired)) return;
      this.rec.state.desired = desired;
      // Durable, in one fsync with the other tasks of the same payload (a burst of 50 stops is one write).
      await this.saveDurably();
    });
  }

  /** Docker events (§10); see container-observer.ts. */
  onDockerEvent(ev: ContainerEvent): void {
    this.observer.onDockerEvent(ev);
  }

  /** containerd's exit and OOM notices, earlier than Docker's events; see container-observer.ts. */
  onProcessEvent(ev: ProcessEvent): void {
    this.observer.onProcessEvent(ev);
  }

  /** Queues a look at every container (after the event stream was down). */
  reconcile(): void {
    this.update(() => this.reconcileNow());
  }

  private tracksHealth(c: ContainerState): boolean {
    return this.rec.spec.containers.find((s) => s.name === c.name)?.healthCheckType === 'docker';
  }

  /** Inspects every container the task has created (or may have created before a crash). */
  private async reconcileNow(): Promise<void> {
    for (const c of this.rec.state.containers) {
      if (c.known === 'STOPPED' || this.busy.has(c.name)) continue;
      const ref = c.dockerId ?? c.dockerName;
      if (ref === undefined) continue;
      // A saved name without an ID: crashed around `docker create`; adopt the container if it exists.
      const info = await this.opts.runtime.inspectContainer(ref, this.shutdown.signal);
      if (info) {
        applyInspect(c, info, { trackHealth: this.tracksHealth(c) });
        this.images.use(this.rec.spec.containers.find((s) => s.name === c.name)?.image ?? '', info.id);
      } else if (c.dockerId !== undefined) markVanished(c);
    }
  }

  markSent(change: TaskStateChange): void {
    this.enqueue(async () => {
      this.rec.state.sent = laterTaskStatus(this.rec.state.sent, change.status);
      for (const sent of change.containers) {
        const c = this.rec.state.containers.find((x) => x.name === sent.name);
        if (c) c.sent = sent.status;
      }
      this.emitter.sent(change);
      this.writer.soon();
      this.teardown.scheduleCleanup();
    });
  }

  private enqueue(fn: () => Promise<void> | void): void {
    this.chain = this.chain.then(async () => {
      if (this.closed) return;
      try {
        await fn();
      } catch (err) {
        if (!this.closed) this.log.error({ err }, 'task actor step failed');
      }
    });
  }

  /** Runs `fn` on the queue and resolves when it ran (rejects when the actor closed first). */
  private onChain(fn: () => Promise<void> | void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.chain = this.chain.then(async () => {
        if (this.closed) return reject(new Error('task actor closed'));
        try {
          await fn();
          resolve();
        } catch (err) {
          reject(err as Error);
        }
      });
    });
  }

  /**
   * Runs `fn` on the queue, then makes sure a progress step runs after it. The progress is queued from inside
   * the update, never beside it: a progress queued earlier has already started by then, so coalescing can
   * never leave an update (say, desired STOPPED) behind the last progress step.
   */
  private update(fn: () => Promise<void> | void): void {
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
    this.enqueue(() => {
      this.progressQueued = false;
      this.progress();
    });
  }

  /** Plans, applies what needs no Docker (never-ran containers, dependency failures), starts the rest. */
  private progress(): void {
    for (;;) {
      if (this.closed) return;
      const plan = planTask(this.rec, {
        now: this.clock.now(),
        busy: new Set(this.busy.keys()),
        admitted: this.admitted,
        pullUpfront: this.opts.config.pullDependentContainersUpfront,
      });
      const marks = plan.actions.filter((a) => a.kind === 'mark-stopped');
      if (plan.failures.length > 0 || marks.length > 0) {
        for (const f of plan.failures) this.failDependency(f);
        for (const m of marks) this.state(m.container).known = 'STOPPED';
        this.afterChange(false);
        continue;
      }
      for (const a of plan.actions) this.launch(a);
      this.armWake(plan.wakeAt);
      this.afterChange(false);
      return;
    }
  }

  /** §5.5: a terminal dependency stops the container it gates with exit code 143. */
  private failDependency(f: DependencyFailure): void {
    const c = this.state(f.container);
    this.log.warn({ container: f.container, reason: f.message }, 'container dependency can never be resolved');
    c.known = 'STOPPED';
    c.exitCode ??= 143;
    c.reason ??= `CannotStartContainerError: ${f.message}`.slice(0, 255);
  }

  private armWake(at: number | undefined): void {
    if (this.wakeTimer) this.clock.clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    if (at === undefined) return;
    this.wakeTimer = this.clock.setTimeout(() => {
      this.wakeTimer = undefined;
      this.kick();
    }, Math.max(0, at - this.clock.now()) + 1);
  }

  private state(name: string): ContainerState {
    const s = this.rec.state.containers.find((c) => c.name === name);
    if (!s) throw new Error(`unknown container ${name}`);
    return s;
  }

  /** Starts one transition off the queue; its outcome comes back through the queue, with the busy mark. */
  private launch(action: ContainerAction | TaskAction): void {
    if (action.kind === 'mark-stopped') return; // applied inline by progress()
    const key = action.kind === PROVISION ? PROVISION : action.container;
    const run = (async () => {
      let apply: transitions.Apply;
      try {
        apply = await this.execute(action);
      } catch (err) {
        if (!this.closed) this.log.error({ err, action: action.kind }, 'transition failed unexpectedly');
        apply = () => undefined;
      }
      this.update(() => {
        this.busy.delete(key);
        apply();
      });
    })();
    this.busy.set(key, run);
  }

  private execute(action: Exclude<ContainerAction, { kind: 'mark-stopped' }> | TaskAction): Promise<transitions.Apply> {
    const ctx: transitions.TransitionContext = {
      rec: this.rec,
      runtime: this.opts.runtime,
      images: this.images,
      ports: this.opts.ports,
      config: this.opts.config,
      signal: this.shutdown.signal,
      log: action.kind === PROVISION ? this.log : this.log.child({ container: action.container }),
      onChain: (fn) => this.onChain(fn),
      save: () => this.writer.now(),
      saveDurably: () => this.saveDurably(),
      network: this.opts.network,
      metadataFiles: this.opts.metadataFiles,
      cgroups: this.opts.cgroups,
      executionCredentials: () => this.opts.executionCredentials?.(this.arn),
    };
    if (action.kind === PROVISION) return transitions.provision(ctx);
    const spec = this.rec.spec.containers.find((c) => c.name === action.container);
    if (!spec) throw new Error(`unknown container ${action.container}`);
    const state = this.state(action.container);
    return transitions[action.kind](ctx, spec, state);
  }

  private saveDurably(): Promise<void> {
    return this.opts.saveDurably ? this.opts.saveDurably(this.rec) : Promise.resolve(this.writer.now());
  }

  /** Folds derived state (desired, known), persists, and emits a state change when something reportable is unsent. */
  private afterChange(reemit: boolean): void {
    const s = this.rec.state;
    s.desired = effectiveDesired(this.rec);
    if (s.executionStoppedAt === undefined && this.rec.spec.containers.some((c) => c.essential && this.state(c.name).known === 'STOPPED')) {
      s.executionStoppedAt = this.clock.now();
    }
    const known = knownTaskStatus(this.rec);
    const changed = known !== s.known;
    if (changed) {
      s.known = known;
      this.log.info({ known }, 'task status changed');
      if (known === 'STOPPED') {
        s.stoppedAt ??= this.clock.now();
        this.releasePending = true;
        if (this.wakeTimer) this.clock.clearTimeout(this.wakeTimer);
      }
    }
    // Reported STOPPED may precede Docker's own handling of the exit (containerd told first): host ports and
    // resources go to the next task only once Docker has let go of them too.
    if (this.releasePending && this.observer.dockerCaughtUp()) {
      this.releasePending = false;
      releaseTaskPorts(this.rec, this.opts.ports);
      void this.teardown.releaseNetwork();
      this.opts.onStopped?.(this.arn);
    }
    this.writer.soon();
    this.emitter.emit(this.rec, { taskChanged: changed, reemit });
    if (reemit) this.teardown.scheduleCleanup();
    if (reemit && s.known === 'STOPPED') void this.teardown.releaseNetwork(); // a restart between STOPPED and teardown
  }

  /** Agent shutdown: abort in-flight Docker calls, stop timers; containers keep running. Idempotent. */
  async close(): Promise<void> {
    this.teardown.close();
    if (this.wakeTimer) this.clock.clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.observer.close();
    if (!this.closed) {
      this.writer.flush();
      this.closed = true;
      this.shutdown.abort(new Error('agent shutting down'));
    }
    await Promise.allSettled([...this.busy.values()]);
    await this.chain;
  }
}
