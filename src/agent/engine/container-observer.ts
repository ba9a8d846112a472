/**
 * How one task learns what happened to its containers outside its own Docker calls: Docker events (§10), the
 * earlier exit notices of the runtime below Docker (containerd), and the inspects they call for.
 *
 * Two sources, one rule: a container's status only moves forward, so whichever source says STOPPED first wins
 * and the other is then only a confirmation. An exit learnt from containerd is reported at once, but dockerd
 * has not processed it yet (port mappings, the network endpoint, the mount), so the task's host resources are
 * held until Docker confirms it (its `die` or `destroy` event, or an inspect that no longer shows it running):
 * `dockerCaughtUp()`. Exits that may be OOM kills (137, or after an oom notice) wait for Docker's inspect,
 * which is what reports OOMKilled.
 */
import type { Logger } from '../../shared/log.js';
import type { ContainerEvent, ContainerInspect, ContainerRuntime, ProcessEvent } from '../runtime/runtime.js';
import type { ContainerState, TaskRecord } from '../model/task.js';
import { applyInspect, markVanished } from './observe.js';
import { EventInspector } from './event-inspector.js';
import { realClock, type TimerHandle } from '../../shared/clock.js';

export interface ContainerObserverOptions {
  rec: TaskRecord;
  runtime: ContainerRuntime;
  signal: AbortSignal;
  log: Logger;
  closed: () => boolean;
  /** Runs `fn` on the task's queue, then plans again. */
  update: (fn: () => void) => void;
  /** A transition of this container is in flight. */
  busy: (name: string) => boolean;
  /** The container's health comes from Docker's health check. */
  tracksHealth: (c: ContainerState) => boolean;
  /** How long to wait for Docker's confirmation of an early exit before asking with an inspect. */
  confirmAfterMs?: number;
}

const EVENT_ACTIONS = new Set(['start', 'die', 'stop', 'destroy']);
const CONFIRM_AFTER_MS = 5000;
/** A 137 is SIGKILL: the stop timeout's kill, or the OOM killer; only Docker's inspect tells which. */
const MAYBE_OOM_EXIT = 137;

export class ContainerObserver {
  private readonly inspector: EventInspector;
  /** Docker IDs with an OOM notice (Docker's `oom` event or containerd's): their exit is inspected. */
  private readonly oomKilled = new Set<string>();
  /** Docker IDs marked STOPPED from an early exit that Docker has not confirmed yet. */
  private readonly unconfirmed = new Set<string>();
  private confirmTimer: TimerHandle | undefined;

  constructor(private readonly opts: ContainerObserverOptions) {
    this.inspector = new EventInspector({
      inspect: (id) => opts.runtime.inspectContainer(id, opts.signal),
      apply: (id, info) => opts.update(() => this.applyInspected(id, info)),
      closed: opts.closed,
      log: opts.log,
    });
  }

  /** True when every early exit has been confirmed by Docker (host resources may be released). */
  dockerCaughtUp(): boolean {
    return this.unconfirmed.size === 0;
  }

  /**
   * Docker events (§10): `die` with an exit code is applied at once (inspect is slow while Docker is busy);
   * everything else, and a 137 that may be an OOM kill, is looked at with an inspect off the queue, one at a
   * time per container (events arriving meanwhile coalesce into one more inspect).
   */
  onDockerEvent(ev: ContainerEvent): void {
    if (this.isPause(ev.id)) {
      if (ev.action === 'die') this.pauseDied();
      return;
    }
    if (ev.action === 'oom') {
      this.oomKilled.add(ev.id);
      return;
    }
    if (!EVENT_ACTIONS.has(ev.action) && !ev.action.startsWith('health_status')) return;
    const c = this.container(ev.id);
    if (!c) return;
    if ((ev.action === 'die' || ev.action === 'destroy') && this.unconfirmed.has(ev.id)) {
      this.confirm(ev.id);
      return;
    }
    if (c.known === 'STOPPED' && (ev.action === 'die' || ev.action === 'stop')) return; // nothing left to learn
    // Our own start: the start transition (in flight, or done) already knows; an inspect would only load Docker.
    if (ev.action === 'start' && (c.known === 'RUNNING' || this.opts.busy(c.name))) return;
    if (ev.action === 'die' && ev.exitCode !== undefined && ev.exitCode !== MAYBE_OOM_EXIT && !this.oomKilled.has(ev.id)) {
      const exitCode = ev.exitCode;
      this.opts.update(() => {
        if (c.known === 'STOPPED') return;
        c.known = 'STOPPED';
        c.exitCode = exitCode;
      });
      return;
    }
    this.inspector.request(ev.id);
  }

  /** containerd's notices: an exit is applied at once unless it may be an OOM kill (then Docker's die decides). */
  onProcessEvent(ev: ProcessEvent): void {
    if (this.isPause(ev.id)) {
      if (ev.kind === 'exit') this.pauseDied();
      return;
    }
    if (ev.kind === 'oom') {
      this.oomKilled.add(ev.id);
      return;
    }
    const c = this.container(ev.id);
    if (!c || c.known === 'STOPPED' || ev.exitCode === MAYBE_OOM_EXIT || this.oomKilled.has(ev.id)) return;
    const exitCode = ev.exitCode;
    this.opts.update(() => {
      if (c.known === 'STOPPED') return;
      c.known = 'STOPPED';
      c.exitCode = exitCode;
      this.unconfirmed.add(ev.id);
      this.armConfirm();
    });
  }

  /** Inspect one container now (after an event the stream may have missed), off the queue. */
  inspect(id: string): void {
    this.inspector.request(id);
  }

  close(): void {
    if (this.confirmTimer) realClock.clearTimeout(this.confirmTimer);
    this.confirmTimer = undefined;
  }

  private isPause(id: string): boolean {
    return this.opts.rec.state.network?.pauseId === id;
  }

  /**
   * awsvpc: the pause container holds the task's network namespace and is essential (§5.7): when it dies
   * (while the task should run) the task stops. Its own removal at teardown comes after STOPPED.
   */
  private pauseDied(): void {
    this.opts.update(() => {
      const s = this.opts.rec.state;
      if (s.known === 'STOPPED' || s.desired === 'STOPPED') return;
      this.opts.log.warn('the pause container stopped: stopping the task');
      s.desired = 'STOPPED';
      s.executionStoppedAt ??= realClock.now();
    });
  }

  private container(id: string): ContainerState | undefined {
    return this.opts.rec.state.containers.find((x) => x.dockerId === id);
  }

  private applyInspected(id: string, info: ContainerInspect | undefined): void {
    const c = this.container(id);
    if (!c) return;
    if (info) applyInspect(c, info, { trackHealth: this.opts.tracksHealth(c) });
    else markVanished(c);
    if (!info || !info.running) this.unconfirmed.delete(id);
  }

  private confirm(id: string): void {
    this.opts.update(() => {
      this.unconfirmed.delete(id);
    });
  }

  /** A lost `die` must not hold the task's resources forever: ask Docker after a while, and again later. */
  private armConfirm(): void {
    if (this.confirmTimer || this.opts.closed()) return;
    this.confirmTimer = realClock.setTimeout(() => {
      this.confirmTimer = undefined;
      if (this.opts.closed() || this.unconfirmed.size === 0) return;
      for (const id of this.unconfirmed) this.inspector.request(id);
      this.armConfirm();
    }, this.opts.confirmAfterMs ?? CONFIRM_AFTER_MS);
  }
}
