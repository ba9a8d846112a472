/**
 * The per-task state machine as a pure function: desired x known -> the one next action. The task actor
 * (task-actor.ts) performs the action, folds the outcome into the state and asks again.
 *
 *   container:   NONE --pull--> PULLED --create--> CREATED --start--> RUNNING --stop/exit--> STOPPED
 *                  \______________\___________________\__ desired STOPPED before it ever ran: mark STOPPED
 *
 *   task:        NONE --> CREATED --> RUNNING --> STOPPED   (the minimum over its containers, never backwards)
 *                desired RUNNING --(essential container STOPPED | CP stop)--> desired STOPPED
 *
 * Containers go up one at a time in definition order; on the way down every running container is stopped.
 */
import { containerRank, taskStatusFromContainers, laterTaskStatus, type TaskStatus } from '../../shared/model/status.js';
import type { ContainerState, TaskRecord } from './model.js';

export type Action =
  | { kind: 'pull'; container: string }
  | { kind: 'create'; container: string }
  | { kind: 'start'; container: string }
  | { kind: 'stop'; container: string }
  /** The container never ran: it becomes STOPPED without a Docker call. */
  | { kind: 'mark-stopped'; container: string }
  /** Nothing to do until an event arrives (steady RUNNING, or waiting for a stop to be observed). */
  | { kind: 'wait' }
  /** The task is STOPPED: nothing will ever happen again apart from cleanup. */
  | { kind: 'done' };

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

export function nextAction(task: TaskRecord): Action {
  if (knownTaskStatus(task) === 'STOPPED') return { kind: 'done' };
  const desired = effectiveDesired(task);
  const containers = task.state.containers;

  if (desired === 'STOPPED') {
    for (const c of containers) {
      if (c.known === 'STOPPED') continue;
      if (c.known === 'RUNNING') return { kind: 'stop', container: c.name };
      // CREATED but never started, or not even created: nothing runs, so no Docker call is needed.
      return { kind: 'mark-stopped', container: c.name };
    }
    return { kind: 'done' };
  }
  if (desired === 'NONE') return { kind: 'wait' };

  for (const c of containers) {
    if (containerRank(c.known) >= containerRank('RUNNING')) continue;
    switch (c.known) {
      case 'NONE':
        return { kind: 'pull', container: c.name };
      case 'PULLED':
        return { kind: 'create', container: c.name };
      case 'CREATED':
        // desired CREATED stops here: the task is created but not started.
        return desired === 'CREATED' ? { kind: 'wait' } : { kind: 'start', container: c.name };
    }
  }
  return { kind: 'wait' };
}
