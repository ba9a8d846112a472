/**
 * The engine: owns one TaskActor per task, routes Docker events to them, restores tasks from the store at
 * startup (the event stream is opened before reconciling, §1.4 step 14) and reopens the stream when it breaks.
 */
import { BerthError } from '../../shared/errors.js';
import { parseDesiredTaskStatus } from '../../shared/model/status.js';
import type { Logger } from '../../shared/log.js';
import { sleep } from '../../shared/clock.js';
import type { AgentConfig } from '../config/config.js';
import { PortAllocator } from '../network/port-allocator.js';
import type { ContainerEvent, ContainerRuntime, ProcessEvent } from '../runtime/runtime.js';
import type { StateStore } from '../state/store.js';
import type { TaskStateChange } from '../reporter/state-change.js';
import type { TaskRecord, TaskSpec } from '../model/task.js';
import { newTaskRecord } from './parse-task.js';
import { TaskActor } from './task-actor.js';
import { validateDependencies } from './dependencies.js';
import { HostResourceManager, taskResources, type HostTotals } from './host-resources.js';
import { ImageManager, type PullRetry } from './images.js';
import { SaveBatcher } from './save-batcher.js';
import { claimTaskPorts } from './task-ports.js';
import { Relister, reconcileWithDocker } from './reconcile.js';
import type { TaskNetworkHook } from '../network/awsvpc/task-network.js';
import type { ContainerMetadataFiles } from './metadata-file.js';
import type { TaskCgroups } from '../cgroups/task-cgroups.js';
import type { IAMRoleCredentials } from '../../shared/protocol/acs.js';
import type { Credentials } from '../api/ecs-api.js';
import { realClock, type TimerHandle } from '../../shared/clock.js';

export interface TaskManagerOptions {
  runtime: ContainerRuntime;
  store: StateStore;
  config: AgentConfig;
  submit: (change: TaskStateChange) => void;
  log: Logger;
  /** Registered totals for host resource accounting (§4.4); without them every task is admitted at once. */
  hostTotals?: HostTotals;
  /** Pull retry backoff (tests make it fast); ECS_* config otherwise. */
  pullRetry?: PullRetry;
  /** awsvpc networking, when this instance can do it. */
  network?: TaskNetworkHook | undefined;
  /** ECS_ENABLE_CONTAINER_METADATA: per-container metadata files (engine/metadata-file.ts). */
  metadataFiles?: ContainerMetadataFiles | undefined;
  /** Task cpu/memory limits (ECS_ENABLE_TASK_CPU_MEM_LIMIT): a cgroup per task; undefined when off. */
  cgroups?: TaskCgroups | undefined;
  /** The execution role credentials ACS delivered for a task (memory only): per-container registry credentials. */
  executionCredentials?: (taskArn: string) => IAMRoleCredentials | undefined;
  /** The agent's instance credentials (ECR pulls without the execution role); the configured chain when omitted. */
  instanceCredentials?: Credentials;
}

const EVENT_REOPEN_DELAY_MS = 1000;
/** containerd's stream only brings news earlier; when it breaks, Docker's events still tell everything. */
const PROCESS_EVENTS_REOPEN_DELAY_MS = 5000;

export class TaskManager {
  private readonly actors = new Map<string, TaskActor>();
  private readonly ports: PortAllocator;
  readonly images: ImageManager;
  private readonly saves: SaveBatcher;
  private readonly resources: HostResourceManager | undefined;
  /** Tasks waiting for host resources, first come first served. */
  private readonly waiting: string[] = [];
  private readonly shutdown = new AbortController();
  private eventLoop: Promise<void> | undefined;
  private processEventLoop: Promise<void> | undefined;
  private imageCleanupTimer: TimerHandle | undefined;
  private closed = false;
  // Beside the event stream: every task looks at its containers again (catches events the stream missed).
  private readonly relister: Relister;

  constructor(private readonly opts: TaskManagerOptions) {
    this.relister = new Relister({ intervalMs: opts.config.relistIntervalMs, relist: () => this.actors.forEach((a) => a.reconcile()) });
    this.ports = new PortAllocator({
      range: opts.config.dynamicHostPortRange,
      reservedTcp: opts.config.reservedPorts,
      reservedUdp: opts.config.reservedPortsUdp,
    });
    this.saves = new SaveBatcher(opts.store);
    this.images = new ImageManager({ runtime: opts.runtime, config: opts.config, log: opts.log, instanceCredentials: opts.instanceCredentials, ...(opts.pullRetry ? { retry: opts.pullRetry } : {}) });
    this.resources = opts.hostTotals ? new HostResourceManager(opts.hostTotals) : undefined;
  }

  /** Opens the event stream, then restores saved tasks and resumes them. */
  async start(): Promise<void> {
    let opened!: () => void;
    const streamOpen = new Promise<void>((resolve) => (opened = resolve));
    this.eventLoop = this.runEvents(opened);
    this.processEventLoop = this.runProcessEvents();
    await Promise.race([streamOpen, sleep(5000)]);
    const records = this.opts.store.loadTasks();
    // Adopt this agent's labelled containers and remove half-made duplicates (never other agents' containers).
    await reconcileWithDocker({ runtime: this.opts.runtime, cluster: this.opts.config.cluster, records, signal: this.shutdown.signal, log: this.opts.log });
    for (const record of records) {
      if (record.state.known !== 'STOPPED') claimTaskPorts(record, this.ports);
      // A task that had not begun waits in line again; one that had begun holds its resources.
      const begun = record.state.known !== 'NONE' || record.state.containers.some((c) => c.known !== 'NONE');
      const waits = !begun && record.state.desired !== 'STOPPED' && this.resources !== undefined;
      if (begun && record.state.known !== 'STOPPED') this.resources?.hold(record.spec.arn, taskResources(record.spec));
      const actor = this.createActor(record, !waits);
      if (waits) this.waiting.push(record.spec.arn);
      actor.resume();
    }
    this.admitWaiting();
    this.relister.start();
    if (!this.opts.config.imageCleanupDisabled) {
      this.imageCleanupTimer = realClock.setInterval(() => {
        this.images.cleanupOnce(this.shutdown.signal).catch((err: unknown) => this.opts.log.warn({ err }, 'image cleanup failed'));
      }, this.opts.config.imageCleanupIntervalMs);
    }
  }

  tasks(): string[] {
    return [...this.actors.keys()];
  }

  /** A task from a payload: unknown -> new actor (persisted before returning, so before the ack); known -> raise desired. */
  addTask(spec: TaskSpec, desiredRaw: string | undefined): void {
    if (this.closed) throw new BerthError('StateStoreError', 'engine is closed');
    const existing = this.actors.get(spec.arn);
    if (existing) {
      existing.raiseDesired(parseDesiredTaskStatus(desiredRaw));
      return;
    }
    const record = newTaskRecord(spec, desiredRaw);
    const badGraph = validateDependencies(spec);
    const tooBig = this.resources?.neverFits(taskResources(spec));
    if (badGraph !== undefined) this.refuse(record, `TaskDependencyError: ${badGraph}`);
    else if (tooBig !== undefined && record.state.desired !== 'STOPPED') this.refuse(record, `ResourceInitializationError: task can never fit on this instance: ${tooBig}`);
    this.opts.store.saveTask(record);
    const waits = this.resources !== undefined && record.state.desired !== 'STOPPED';
    const actor = this.createActor(record, !waits);
    actor.start();
    if (waits) {
      this.waiting.push(spec.arn);
      this.admitWaiting();
    }
  }

  /** §4.2 step 5: a task the agent cannot run is STOPPED at once, with a task-level reason, without Docker. */
  private refuse(record: TaskRecord, reason: string): void {
    this.opts.log.warn({ taskArn: record.spec.arn, reason }, 'task refused');
    record.state.desired = 'STOPPED';
    record.state.reason = reason.slice(0, 1024);
  }

  /** FIFO: admits tasks from the head of the line while they fit; the head blocks everything behind it. */
  private admitWaiting(): void {
    const resources = this.resources;
    if (!resources) return;
    while (this.waiting.length > 0) {
      const arn = this.waiting[0]!;
      const actor = this.actors.get(arn);
      if (!actor || actor.record.state.desired === 'STOPPED' || actor.record.state.known === 'STOPPED') {
        this.waiting.shift();
        continue;
      }
      const need = taskResources(actor.record.spec);
      if (!resources.fits(need)) return;
      this.waiting.shift();
      resources.hold(arn, need);
      actor.admit();
    }
  }

  private onTaskStopped(arn: string): void {
    const i = this.waiting.indexOf(arn);
    if (i !== -1) this.waiting.splice(i, 1);
    this.resources?.release(arn);
    this.admitWaiting();
  }

  /** Raises a known task's desired status (TaskStopVerificationAck); unknown tasks are ignored. */
  stopTask(arn: string): void {
    this.actors.get(arn)?.raiseDesired('STOPPED');
  }

  desiredRunningTasks(): string[] {
    return [...this.actors.values()].filter((a) => a.record.state.desired === 'RUNNING').map((a) => a.arn);
  }

  markSent(change: TaskStateChange): void {
    this.actors.get(change.taskArn)?.markSent(change);
  }

  private createActor(record: TaskRecord, admitted = true): TaskActor {
    const actor = new TaskActor({
      record,
      admitted,
      images: this.images,
      saveDurably: (rec) => this.saves.save(rec),
      onStopped: (arn) => this.onTaskStopped(arn),
      runtime: this.opts.runtime,
      store: this.opts.store,
      ports: this.ports,
      config: this.opts.config,
      submit: this.opts.submit,
      onCleanedUp: (arn) => this.actors.delete(arn),
      log: this.opts.log,
      network: this.opts.network,
      metadataFiles: this.opts.metadataFiles,
      cgroups: this.opts.cgroups,
      executionCredentials: this.opts.executionCredentials,
    });
    this.actors.set(record.spec.arn, actor);
    return actor;
  }

  private route(ev: ContainerEvent): void {
    for (const actor of this.actors.values()) {
      if (actor.ownsDockerId(ev.id)) {
        actor.onDockerEvent(ev);
        return;
      }
    }
  }

  private routeProcessEvent(ev: ProcessEvent): void {
    for (const actor of this.actors.values()) {
      if (actor.ownsDockerId(ev.id)) {
        actor.onProcessEvent(ev);
        return;
      }
    }
  }

  /** containerd's exit notices (runtime.streamProcessEvents), for as long as containerd can be reached. */
  private async runProcessEvents(): Promise<void> {
    const runtime = this.opts.runtime;
    if (!runtime.streamProcessEvents) return;
    let failures = 0;
    while (!this.closed) {
      try {
        await runtime.streamProcessEvents((ev) => this.routeProcessEvent(ev), this.shutdown.signal);
        failures = 0;
      } catch (err) {
        if (this.closed) return;
        if (err instanceof BerthError && err.code === 'ContainerdUnavailableError') {
          this.opts.log.info({ reason: err.message }, 'container exits come from Docker events only');
          return;
        }
        // Logged once per outage, not every retry.
        if (failures++ === 0) this.opts.log.warn({ err }, 'containerd event stream failed; Docker events still report exits');
      }
      try {
        await sleep(PROCESS_EVENTS_REOPEN_DELAY_MS, this.shutdown.signal);
      } catch {
        return;
      }
    }
  }

  private async runEvents(opened: () => void): Promise<void> {
    while (!this.closed) {
      try {
        const streaming = this.opts.runtime.streamEvents((ev) => this.route(ev), this.shutdown.signal);
        // The stream is open once the request is accepted; give it a tick so no early event is missed.
        setImmediate(opened);
        await streaming;
      } catch (err) {
        if (this.closed) return;
        this.opts.log.warn({ err }, 'docker event stream failed');
      }
      if (this.closed) return;
      try {
        await sleep(EVENT_REOPEN_DELAY_MS, this.shutdown.signal);
      } catch {
        return;
      }
      // Events may have been missed while the stream was down: look at every task again.
      for (const a of this.actors.values()) a.reconcile();
    }
  }

  /** Agent shutdown: stop every actor and the event stream; containers keep running. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.relister.close();
    if (this.imageCleanupTimer) realClock.clearInterval(this.imageCleanupTimer);
    this.shutdown.abort(new Error('engine closed'));
    await Promise.allSettled([...this.actors.values()].map((a) => a.close()));
    await this.eventLoop?.catch(() => undefined);
    await this.processEventLoop?.catch(() => undefined);
  }
}
