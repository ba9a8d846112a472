/**
 * The per-task state machine as a pure function: desired x known (x ordering, x time) -> every transition that
 * is permitted now (§5.4 step 3-4). The task actor (task-actor.ts) starts them all concurrently, folds each
 * outcome into the state and plans again.
 *
 *   container:   NONE --pull--> PULLED --create--> CREATED --start--> RUNNING --stop/exit--> STOPPED
 *                  \______________\___________________\__ desired STOPPED before it ever ran: mark STOPPED
 *
 *   task:        NONE --> CREATED --> RUNNING --> STOPPED   (the minimum over its containers, never backwards)
 *                desired RUNNING --(essential container STOPPED | CP stop | impossible graph)--> desired STOPPED
 *
 * Up: a container moves once its ordering edges allow it (dependencies.ts) and the task's volumes exist;
 * independent containers move in parallel. Down: running containers are stopped in reverse dependency order.
 */
import { containerRank, taskStatusFromContainers, laterTaskStatus, type TaskStatus } from '../../shared/model/status.js';
import type { ContainerState, TaskRecord } from '../model/task.js';
import { mayStop, upGate } from './dependencies.js';
import { realClock } from '../../shared/clock.js';

export type ContainerAction =
  | { kind: 'pull'; container: string }
  | { kind: 'create'; container: string }
  | { kind: 'start'; container: string }
  | { kind: 'stop'; container: string }
  /** The container never ran: it becomes STOPPED without a Docker call. */
  | { kind: 'mark-stopped'; container: string };

/** Task-level resources (volumes) that must exist before any container is pulled (§5.5 internal gates). */
export type TaskAction = { kind: 'provision' };

export type Action =
  | ContainerAction
  | TaskAction
  /** Nothing to do until an event arrives (steady RUNNING, or waiting for a stop to be observed). */
  | { kind: 'wait' }
  /** The task is STOPPED: nothing will ever happen again apart from cleanup. */
  | { kind: 'done' };

export interface DependencyFailure {
  container: string;
  /** "dependency graph: ..." (reported as CannotStartContainerError). */
  message: string;
}

export interface Plan {
  /** Every transition permitted now; at most one per container, none for a busy one. */
  actions: (ContainerAction | TaskAction)[];
  /** Containers whose ordering can never be satisfied: they stop with exit code 143. */
  failures: DependencyFailure[];
  /** Containers waiting on ordering. */
  blocked: string[];
  /** Earliest time a dependency start timeout expires: plan again then. */
  wakeAt: number | undefined;
  done: boolean;
}

export interface PlanContext {
  now: number;
  /** Containers (by name) and 'provision' with a transition in flight. */
  busy: ReadonlySet<string>;
  /** False while the task waits for host resources (§4.4): nothing moves up, stopping still works. */
  admitted: boolean;
  /** ECS_PULL_DEPENDENT_CONTAINERS_UPFRONT: a container waiting on ordering may still be pulled. */
  pullUpfront?: boolean;
}

export const PROVISION = 'provision';

/** Desired status after the agent's own rule: an essential container that stopped stops the task (§5.3). */
export function effectiveDesired(task: TaskRecord): TaskStatus {
  if (task.state.desired === 'STOPPED') return 'STOPPED';
  const essentialStopped = task.spec.containers.some(
    (spec) => spec.essential && containerOf(task, spec.name)?.known === 'STOPPED',
  );
  return essentialStopped ? 'STOPPED' : task.state.desired;
}

/** The task's known status from its containers, never lower than before. */
export function knownTaskStatus(task: TaskRecord): TaskStatus {
  const fromContainers = taskStatusFromContainers(task.state.containers.map((c) => c.known));
  return laterTaskStatus(task.state.known, fromContainers);
}

function containerOf(task: TaskRecord, name: string): ContainerState | undefined {
  return task.state.containers.find((c) => c.name === name);
}

/** True when the task has volumes that Docker must create before its containers can use them. */
export function needsProvisioning(task: TaskRecord): boolean {
  const volumes = (task.spec.volumes ?? []).some((v) => v.type === 'docker' || v.sourcePath === '') && task.state.volumesReady !== true;
  // awsvpc: the pause container and its namespace (ENI + ecs-bridge) come before any app container (§5.7).
  return volumes || (task.spec.networkMode === 'awsvpc' && task.state.network?.ready !== true);
}

export function planTask(task: TaskRecord, ctx: PlanContext): Plan {
  const plan: Plan = { actions: [], failures: [], blocked: [], wakeAt: undefined, done: false };
  if (knownTaskStatus(task) === 'STOPPED') return { ...plan, done: true };
  const desired = effectiveDesired(task);
  const containers = task.state.containers;

  if (desired === 'STOPPED') {
    for (const c of containers) {
      if (c.known === 'STOPPED' || ctx.busy.has(c.name)) continue;
      if (c.known !== 'RUNNING') plan.actions.push({ kind: 'mark-stopped', container: c.name });
      else if (mayStop(task, c.name)) plan.actions.push({ kind: 'stop', container: c.name });
    }
    return plan;
  }
  if (desired === 'NONE' || !ctx.admitted) return plan;
  if (needsProvisioning(task)) {
    if (!ctx.busy.has(PROVISION)) plan.actions.push({ kind: PROVISION });
    return plan;
  }

  const goal = desired === 'CREATED' ? 'CREATED' : 'RUNNING';
  for (const c of containers) {
    if (containerRank(c.known) >= containerRank(goal) || ctx.busy.has(c.name)) continue;
    const gate = upGate(task, c.name, goal, ctx.now);
    if (gate.kind === 'terminal') {
      plan.failures.push({ container: c.name, message: gate.message });
      continue;
    }
    if (gate.kind === 'blocked') {
      if (ctx.pullUpfront && c.known === 'NONE') plan.actions.push({ kind: 'pull', container: c.name });
      plan.blocked.push(c.name);
      if (gate.until !== undefined) plan.wakeAt = plan.wakeAt === undefined ? gate.until : Math.min(plan.wakeAt, gate.until);
      continue;
    }
    switch (c.known) {
      case 'NONE':
        plan.actions.push({ kind: 'pull', container: c.name });
        break;
      case 'PULLED':
        plan.actions.push({ kind: 'create', container: c.name });
        break;
      case 'CREATED':
        plan.actions.push({ kind: 'start', container: c.name });
        break;
    }
  }
  return plan;
}

/** The first permitted action (no ordering timeouts, nothing busy): the single-step view used by tests. */
export function nextAction(task: TaskRecord, now = realClock.now()): Action {
  const plan = planTask(task, { now, busy: new Set(), admitted: true });
  if (plan.done) return { kind: 'done' };
  const first = plan.actions[0];
  if (first) return first;
  return { kind: 'wait' };
}
