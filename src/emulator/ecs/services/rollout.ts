import type { DeploymentRecord, ServiceRecord } from '../records.js';
import type { ReconcileResult, ReconcileView } from './model.js';

const MAX_EVENTS = 100;
const FAILED_STOP_CODES = new Set(['TaskFailedToStart', 'EssentialContainerExited']);

export function addEvent(s: ServiceRecord, id: string, now: number, message: string): ServiceRecord {
  return { ...s, events: [{ id, createdAt: now, message }, ...s.events].slice(0, MAX_EVENTS) };
}

/** ECS's threshold: half the desired count, at least 3, at most 200. */
export function failureThreshold(desired: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desired / 2)));
}

/** PRIMARY first, then older deployments while they still have tasks (their desiredCount = tasks left). */
export function keptDeployments(v: ReconcileView, primary: DeploymentRecord, desired: number): DeploymentRecord[] {
  const older = v.service.deployments.slice(1).flatMap((d): DeploymentRecord[] => {
    const left = v.counted.filter((t) => t.deploymentId === d.id && t.desiredStatus === 'RUNNING').length;
    const any = v.counted.some((t) => t.deploymentId === d.id);
    return any ? [{ ...d, status: 'ACTIVE', desiredCount: left, updatedAt: left === d.desiredCount ? d.updatedAt : v.now }] : [];
  });
  return [{ ...primary, desiredCount: desired }, ...older];
}

/**
 * The deployment circuit breaker: PRIMARY tasks that stopped without being asked to (failed to start, or an
 * essential container exited) count as failures; at the threshold the rollout is FAILED and, with rollback,
 * a new PRIMARY deployment goes back to the last task definition that completed a rollout.
 */
export function circuitBreaker(v: ReconcileView): ServiceRecord {
  let s = v.service;
  const primary = s.deployments[0];
  if (!primary || primary.rolloutState !== 'IN_PROGRESS') return s;
  const failedTasks = v.tasks.filter(
    (t) => t.deploymentId === primary.id && t.lastStatus === 'STOPPED' && FAILED_STOP_CODES.has(t.stopCode ?? ''),
  ).length;
  let p: DeploymentRecord = failedTasks === primary.failedTasks ? primary : { ...primary, failedTasks, updatedAt: v.now };
  if (s.circuitBreaker.enable && failedTasks >= failureThreshold(s.desiredCount)) {
    p = { ...p, rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.', updatedAt: v.now };
    s = addEvent({ ...s, steady: false }, v.ids.event(), v.now, `(service ${s.name}) (deployment ${p.id}) deployment failed: tasks failed to start.`);
    const back = s.stableTaskDefinition;
    if (s.circuitBreaker.rollback && back && back !== p.taskDefinition) {
      const id = v.ids.deployment();
      const rollback: DeploymentRecord = {
        id,
        status: 'PRIMARY',
        taskDefinition: back,
        desiredCount: s.desiredCount,
        failedTasks: 0,
        createdAt: v.now,
        updatedAt: v.now,
        rolloutState: 'IN_PROGRESS',
        rolloutStateReason: `ECS deployment circuit breaker: rolling back to deploymentId ${id}.`,
      };
      s = addEvent(s, v.ids.event(), v.now, `(service ${s.name}) rolling back to deployment ${id}.`);
      return { ...s, taskDefinition: back, deployments: [rollback, { ...p, status: 'ACTIVE' }, ...s.deployments.slice(1)] };
    }
  }
  return { ...s, deployments: [p, ...s.deployments.slice(1)] };
}

/** COMPLETED once only healthy PRIMARY tasks remain, as many as desired; then the steady-state event, once. */
export function finishRollout(v: ReconcileView, r: Pick<ReconcileResult, 'service' | 'start' | 'stop'>): ServiceRecord {
  let s = r.service;
  const primary = s.deployments[0];
  if (!primary) return s;
  const settled =
    r.start.length === 0 &&
    r.stop.length === 0 &&
    s.deployments.length === 1 &&
    v.counted.length === s.desiredCount &&
    v.counted.every((t) => t.deploymentId === primary.id && v.healthy(t) && v.instanceStatus(t) === 'ACTIVE');
  if (!settled) return s.steady ? { ...s, steady: false } : s;
  if (primary.rolloutState === 'IN_PROGRESS') {
    const done: DeploymentRecord = { ...primary, rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${primary.id} completed.`, updatedAt: v.now };
    s = { ...s, deployments: [done], stableTaskDefinition: primary.taskDefinition };
    s = addEvent(s, v.ids.event(), v.now, `(service ${s.name}) (deployment ${primary.id}) deployment completed.`);
  }
  if (!s.steady && primary.rolloutState !== 'FAILED') {
    s = addEvent({ ...s, steady: true }, v.ids.event(), v.now, `(service ${s.name}) has reached a steady state.`);
  }
  return s;
}
