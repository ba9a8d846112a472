import type { ServiceRecord } from '../records.js';
import { reconcileDaemon } from './daemon.js';
import { isProtected } from './protection.js';
import { circuitBreaker, finishRollout, keptDeployments } from './rollout.js';
import type { ReconcileInput, ReconcileResult, ReconcileView, StopAction } from './model.js';

/**
 * The service controller's pure core: one service x its tasks x the cluster's instances -> what to start and
 * stop next, and the service record after this pass (deployments, counts, events). The loop around it
 * (controller.ts) does the I/O: placement, persisting, ACS delivery. Run it again and again: every pass
 * looks at the facts afresh, so a lost pass or a restart costs nothing.
 *
 * A REPLICA rolling update, per pass:
 *
 *   keep     = PRIMARY tasks on ACTIVE instances (desired RUNNING)
 *   replace  = tasks of older deployments, and tasks on DRAINING instances
 *   start    min(desired - keep, floor(desired x maximumPercent) - all tasks not yet STOPPED)
 *   stop     replaceable tasks that are not healthy, then healthy ones while
 *            healthy - 1 >= ceil(desired x minimumHealthyPercent)
 *   done     keep == desired, all healthy, nothing to replace -> COMPLETED, then "steady state"
 *
 * Tasks with scale-in protection (protection.ts) are never chosen by the scale-in or replace steps.
 *
 * "Healthy" = RUNNING for at least healthCheckGracePeriodSeconds (the emulator has no load balancer; the
 * grace period is how long a new task must stay up before old ones are taken away for it).
 */
export function reconcile(input: ReconcileInput): ReconcileResult {
  const view = viewOf(input);
  if (input.service.status === 'INACTIVE') return { service: input.service, start: [], stop: [] };
  if (input.service.status === 'DRAINING') return drainService(view);
  let service = circuitBreaker(view);
  const v2 = { ...view, service };
  const r = service.schedulingStrategy === 'DAEMON' ? reconcileDaemon(v2) : reconcileReplica(v2);
  service = finishRollout({ ...v2, service: r.service }, r);
  return { service, start: r.start, stop: r.stop };
}

function viewOf(input: ReconcileInput): ReconcileView {
  const status = new Map(input.instances.map((i) => [i.arn, i.status]));
  // Tasks on deregistered instances are orphans: ECS leaves them running but no longer counts them.
  const counted = input.tasks.filter((t) => t.lastStatus !== 'STOPPED' && (status.get(t.containerInstanceArn) ?? 'INACTIVE') !== 'INACTIVE');
  const graceMs = (input.service.healthCheckGracePeriodSeconds ?? 0) * 1000;
  return {
    ...input,
    counted,
    instanceStatus: (t) => status.get(t.containerInstanceArn) ?? 'INACTIVE',
    healthy: (t) => t.desiredStatus === 'RUNNING' && t.lastStatus === 'RUNNING' && input.now - (t.startedAt ?? input.now) >= graceMs,
  };
}

/** DeleteService: stop everything regardless of minimumHealthyPercent; INACTIVE once nothing is left. */
function drainService(v: ReconcileView): ReconcileResult {
  const name = v.service.name;
  const stop = v.counted.filter((t) => t.desiredStatus === 'RUNNING').map((t) => ({ taskArn: t.arn, reason: `Service ${name} was deleted` }));
  const service: ServiceRecord =
    v.counted.length === 0 ? { ...v.service, status: 'INACTIVE', deployments: [], desiredCount: 0 } : { ...v.service, desiredCount: 0 };
  return { service, start: [], stop };
}

function reconcileReplica(v: ReconcileView): ReconcileResult {
  const s = v.service;
  const primary = s.deployments[0];
  if (!primary) return { service: s, start: [], stop: [] };
  const desired = s.desiredCount;
  const maxTotal = Math.floor((desired * s.maximumPercent) / 100);
  const minHealthy = Math.ceil((desired * s.minimumHealthyPercent) / 100);
  const running = v.counted.filter((t) => t.desiredStatus === 'RUNNING');
  const keep = running.filter((t) => t.deploymentId === primary.id && v.instanceStatus(t) === 'ACTIVE');
  const replace = running.filter((t) => !keep.includes(t));
  const stop: StopAction[] = [];
  const scaleReason = `Scaling activity initiated by (deployment ${primary.id})`;

  // Scale in: the newest and the not-yet-running go first; protected tasks never (they stay beyond desired).
  if (keep.length > desired) {
    const excess = keep.filter((t) => !isProtected(t, v.now)).sort((a, b) => Number(v.healthy(a)) - Number(v.healthy(b)) || b.createdAt - a.createdAt);
    for (const t of excess.slice(0, keep.length - desired)) stop.push({ taskArn: t.arn, reason: scaleReason });
  }
  const kept = keep.length - stop.length;

  // Start what is missing, within maximumPercent (tasks still stopping count until they are STOPPED).
  const failed = primary.rolloutState === 'FAILED';
  const room = Math.max(0, maxTotal - v.counted.length);
  const startCount = failed ? 0 : Math.max(0, Math.min(desired - kept, room));

  // Take away replaceable tasks: unhealthy ones freely, healthy ones down to minimumHealthyPercent.
  let healthy = running.filter((t) => v.healthy(t) && !stop.some((x) => x.taskArn === t.arn)).length;
  // A protected task of an older deployment is not replaced: the rollout waits until its protection ends.
  const ordered = replace.filter((t) => v.instanceStatus(t) === 'DRAINING' || !isProtected(t, v.now)).sort((a, b) => Number(v.healthy(a)) - Number(v.healthy(b)));
  for (const t of ordered) {
    const reason = v.instanceStatus(t) === 'DRAINING' ? 'Container instance is being drained' : scaleReason;
    if (!v.healthy(t)) {
      stop.push({ taskArn: t.arn, reason });
      continue;
    }
    // With room to start and a replacement not yet healthy, keep serving from the old task.
    if (healthy - 1 < minHealthy) break;
    stop.push({ taskArn: t.arn, reason });
    healthy--;
  }
  const start = startCount > 0 ? [{ deploymentId: primary.id, taskDefinition: primary.taskDefinition, count: startCount }] : [];
  return { service: { ...s, deployments: keptDeployments(v, primary, desired) }, start, stop };
}

