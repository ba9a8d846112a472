import type { EmulatorContext } from '../context.js';
import type { ServiceRecord, TaskRecord } from '../records.js';
import { epochSeconds } from '../../../shared/time.js';
import { isPendingStatus } from '../tasks/status.js';

/**
 * Service -> the ECS Service structure. running/pending counts are computed from the tasks as they are now
 * (never stored), per deployment and for the service, so they are always true.
 */
export function serviceView(ctx: EmulatorContext, s: ServiceRecord, live: readonly TaskRecord[], withTags = false): Record<string, unknown> {
  const mine = live.filter((t) => t.serviceName === s.name && t.desiredStatus === 'RUNNING');
  const running = (id?: string): number => mine.filter((t) => (!id || t.deploymentId === id) && t.lastStatus === 'RUNNING').length;
  const pending = (id?: string): number => mine.filter((t) => (!id || t.deploymentId === id) && isPendingStatus(t.lastStatus)).length;
  return {
    serviceArn: s.arn,
    serviceName: s.name,
    clusterArn: ctx.arns.cluster(s.cluster),
    loadBalancers: [],
    serviceRegistries: [],
    status: s.status,
    desiredCount: s.desiredCount,
    runningCount: running(),
    pendingCount: pending(),
    launchType: 'EC2',
    taskDefinition: s.taskDefinition,
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: s.circuitBreaker.enable, rollback: s.circuitBreaker.rollback },
      maximumPercent: s.maximumPercent,
      minimumHealthyPercent: s.minimumHealthyPercent,
    },
    deployments: s.deployments.map((d) => ({
      id: d.id,
      status: d.status,
      taskDefinition: d.taskDefinition,
      desiredCount: d.desiredCount,
      pendingCount: pending(d.id),
      runningCount: running(d.id),
      failedTasks: d.failedTasks,
      createdAt: epochSeconds(d.createdAt),
      updatedAt: epochSeconds(d.updatedAt),
      launchType: 'EC2',
      rolloutState: d.rolloutState,
      rolloutStateReason: d.rolloutStateReason,
    })),
    events: s.events.map((e) => ({ id: e.id, createdAt: epochSeconds(e.createdAt), message: e.message })),
    createdAt: epochSeconds(s.createdAt),
    placementConstraints: s.placementConstraints,
    placementStrategy: s.placementStrategy,
    healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds,
    schedulingStrategy: s.schedulingStrategy,
    deploymentController: { type: 'ECS' },
    createdBy: `arn:aws:iam::${ctx.arns.accountId}:root`,
    enableECSManagedTags: s.enableECSManagedTags,
    propagateTags: s.propagateTags,
    enableExecuteCommand: false,
    tags: withTags ? s.tags : undefined,
  };
}
