/**
 * Container ordering (spec §5.5) as pure functions over a TaskRecord.
 *
 *   edges:  dependsOn (START | COMPLETE | SUCCESS | HEALTHY), links -> START, volumesFrom -> CREATE
 *   up:     a container leaves NONE only once every edge of it is satisfied; an edge that can never be
 *           satisfied is terminal (the container is stopped with exit code 143 and a "dependency graph" reason)
 *   down:   a running container is stopped only after every container depending on it is STOPPED
 *
 * A cycle or an edge to a container that does not exist is rejected when the task is added (TaskDependencyError).
 */
import { containerRank } from '../../shared/model/status.js';
import type { ContainerState, DependencyCondition, TaskRecord, TaskSpec } from '../model/task.js';

export interface Edge {
  /** The dependent container. */
  from: string;
  /** The container it waits for. */
  to: string;
  condition: DependencyCondition;
}

/** Every ordering edge of a task: explicit dependsOn, then the implicit ones from links and volumesFrom. */
export function dependencyEdges(spec: TaskSpec): Edge[] {
  const edges: Edge[] = [];
  for (const c of spec.containers) {
    for (const d of c.dependsOn ?? []) edges.push({ from: c.name, to: d.containerName, condition: d.condition });
    for (const link of c.links ?? []) edges.push({ from: c.name, to: linkTarget(link), condition: 'START' });
    for (const v of c.volumesFrom ?? []) edges.push({ from: c.name, to: v.sourceContainer, condition: 'CREATE' });
  }
  return edges;
}

/** `name:alias` -> name. */
export function linkTarget(link: string): string {
  const i = link.indexOf(':');
  return i === -1 ? link : link.slice(0, i);
}

/** undefined when the graph is valid; otherwise the official TaskDependencyError message. */
export function validateDependencies(spec: TaskSpec): string | undefined {
  const names = new Set(spec.containers.map((c) => c.name));
  const edges = dependencyEdges(spec);
  const bad = `Task dependencies cannot be resolved, taskArn: ${spec.arn}`;
  if (edges.some((e) => !names.has(e.to) || e.to === e.from)) return bad;
  // Kahn's algorithm: whatever cannot be peeled off lies on a cycle.
  const pending = new Map([...names].map((n) => [n, edges.filter((e) => e.from === n).length]));
  const ready = [...pending].filter(([, n]) => n === 0).map(([name]) => name);
  let peeled = 0;
  while (ready.length > 0) {
    const done = ready.pop()!;
    peeled++;
    for (const e of edges) {
      if (e.to !== done) continue;
      const left = pending.get(e.from)! - 1;
      pending.set(e.from, left);
      if (left === 0) ready.push(e.from);
    }
  }
  return peeled === names.size ? undefined : bad;
}

export type Gate =
  | { kind: 'ok' }
  /** Waiting; `until` is when a start timeout would turn the wait terminal (the caller re-plans then). */
  | { kind: 'blocked'; until: number | undefined }
  | { kind: 'terminal'; message: string };

function stateOf(task: TaskRecord, name: string): ContainerState | undefined {
  return task.state.containers.find((c) => c.name === name);
}

function satisfied(dep: ContainerState, condition: DependencyCondition, targetGoal: 'CREATED' | 'RUNNING'): boolean {
  const ran = dep.startedAt !== undefined || dep.exitCode !== undefined;
  switch (condition) {
    case 'CREATE':
      return containerRank(dep.known) >= containerRank('CREATED') && dep.dockerId !== undefined;
    case 'START':
      if (targetGoal === 'CREATED') return containerRank(dep.known) >= containerRank('CREATED') && dep.dockerId !== undefined;
      return dep.known === 'RUNNING' || (dep.known === 'STOPPED' && ran);
    case 'COMPLETE':
      return dep.known === 'STOPPED' && dep.exitCode !== undefined;
    case 'SUCCESS':
      return dep.known === 'STOPPED' && dep.exitCode === 0;
    case 'HEALTHY':
      return dep.health === 'HEALTHY';
  }
}

/**
 * May `name` move up (pull, create, start) towards `goal`? Checks every edge of it: satisfied -> ok; can still be
 * satisfied -> blocked; can never be -> terminal, with the official "dependency graph: ..." message.
 */
export function upGate(task: TaskRecord, name: string, goal: 'CREATED' | 'RUNNING', now: number): Gate {
  const target = stateOf(task, name);
  let until: number | undefined;
  let blocked = false;
  for (const e of dependencyEdges(task.spec)) {
    if (e.from !== name) continue;
    const dep = stateOf(task, e.to);
    const depSpec = task.spec.containers.find((c) => c.name === e.to);
    if (!dep || !depSpec) return { kind: 'terminal', message: `dependency graph: container ordering dependency [${e.to}] for target [${name}] does not exist.` };
    if (satisfied(dep, e.condition, goal)) continue;
    const timed = e.condition === 'SUCCESS' || e.condition === 'COMPLETE' || e.condition === 'HEALTHY';
    const timeoutSec = depSpec.startTimeoutSec ?? 0;
    // Only a target that has not been created yet can time out waiting (the official hasDependencyTimedOut).
    if (timed && timeoutSec > 0 && dep.startedAt !== undefined && (target === undefined || containerRank(target.known) < containerRank('CREATED'))) {
      const deadline = dep.startedAt + timeoutSec * 1000;
      if (now >= deadline) {
        return { kind: 'terminal', message: `dependency graph: failed to resolve the container ordering dependency [${e.to}] for target [${name}] as dependency did not reach desired status [${e.condition}] within its start timeout` };
      }
      until = until === undefined ? deadline : Math.min(until, deadline);
    }
    if (dep.known === 'STOPPED') {
      if (e.condition === 'SUCCESS' && dep.exitCode !== undefined) {
        return { kind: 'terminal', message: `dependency graph: failed to resolve container ordering dependency [${e.to}] for target [${name}] as dependency did not exit successfully.` };
      }
      // A stopped dependency that never reached the condition never will.
      return { kind: 'terminal', message: `dependency graph: failed to resolve container ordering dependency [${e.to}] for target [${name}] because dependency will never start` };
    }
    blocked = true;
  }
  return blocked ? { kind: 'blocked', until } : { kind: 'ok' };
}

/** Shutdown order: `name` may be stopped once every container with an edge to it is STOPPED. */
export function mayStop(task: TaskRecord, name: string): boolean {
  return dependencyEdges(task.spec)
    .filter((e) => e.to === name)
    .every((e) => stateOf(task, e.from)?.known === 'STOPPED');
}
