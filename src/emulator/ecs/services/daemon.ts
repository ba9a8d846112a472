import type { ServiceRecord, TaskRecord } from '../records.js';
import type { ReconcileResult, ReconcileView, StartAction, StopAction } from './model.js';
import { keptDeployments } from './rollout.js';

/**
 * DAEMON: exactly one PRIMARY task on every eligible instance (ACTIVE and matching the constraints). A new
 * revision replaces task by task: the old task on an instance is stopped first and the new one starts only
 * when the old one is STOPPED (never two daemons on one instance); instances that stop being eligible
 * (DRAINING, attributes changed) lose their task. desiredCount follows the number of eligible instances.
 */
export function reconcileDaemon(v: ReconcileView): Pick<ReconcileResult, 'service' | 'start' | 'stop'> {
  const s: ServiceRecord = v.service;
  const primary = s.deployments[0];
  if (!primary) return { service: s, start: [], stop: [] };
  const eligible = new Set(v.instances.filter((i) => i.eligible).map((i) => i.arn));
  const byInstance = new Map<string, TaskRecord[]>();
  for (const t of v.counted) {
    const list = byInstance.get(t.containerInstanceArn) ?? [];
    list.push(t);
    byInstance.set(t.containerInstanceArn, list);
  }
  const start: StartAction[] = [];
  const stop: StopAction[] = [];
  const reasonFor = (arn: string): string =>
    v.instances.find((i) => i.arn === arn)?.status === 'DRAINING'
      ? 'Container instance is being drained'
      : `Scaling activity initiated by (deployment ${primary.id})`;

  for (const [arn, tasks] of byInstance) {
    const running = tasks.filter((t) => t.desiredStatus === 'RUNNING');
    if (!eligible.has(arn)) {
      for (const t of running) stop.push({ taskArn: t.arn, reason: reasonFor(arn) });
      continue;
    }
    const current = running.filter((t) => t.deploymentId === primary.id);
    // Old revisions go; of several current ones, the first stays.
    for (const t of running) if (t !== current[0]) stop.push({ taskArn: t.arn, reason: reasonFor(arn) });
  }
  if (primary.rolloutState !== 'FAILED') {
    for (const arn of eligible) {
      // Start only on an instance with no task of the service left, not even a stopping one.
      if ((byInstance.get(arn) ?? []).length === 0) {
        start.push({ deploymentId: primary.id, taskDefinition: primary.taskDefinition, count: 1, instanceArn: arn });
      }
    }
  }
  const desired = eligible.size;
  return { service: { ...s, desiredCount: desired, deployments: keptDeployments(v, primary, desired) }, start, stop };
}
