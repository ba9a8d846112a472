import type { ServiceRecord } from '../../records.js';
import { newDeployment } from '../../services/deployments.js';
import { clientError, EcsError, invalidParameter } from '../../errors.js';
import { ecsOperation } from '../service.js';
import { resolveCluster, resolveService, resolveTaskDefinition } from '../lookup.js';
import {
  checkDesiredCount,
  checkGracePeriod,
  deploymentSettings,
  placementSettings,
} from '../service-input.js';
import { serviceView } from '../service-view.js';

/**
 * desiredCount changes the PRIMARY deployment in place. A new task definition or forceNewDeployment starts
 * a new PRIMARY deployment; the previous PRIMARY becomes ACTIVE and is drained by the rolling update.
 */
ecsOperation('UpdateService', {
  notEmulated: ['capacityProviderStrategy', 'availabilityZoneRebalancing', 'platformVersion', 'deploymentController', 'serviceRegistries', 'serviceConnectConfiguration', 'volumeConfigurations', 'vpcLatticeConfigurations'],
  input: {
    cluster: { type: 'string' },
    service: { type: 'string', required: true },
    desiredCount: { type: 'integer' },
    taskDefinition: { type: 'string' },
    forceNewDeployment: { type: 'boolean' },
    deploymentConfiguration: { type: 'structure' },
    placementConstraints: { type: 'list', of: 'structure' },
    placementStrategy: { type: 'list', of: 'structure' },
    healthCheckGracePeriodSeconds: { type: 'integer' },
    propagateTags: { type: 'string', enum: ['TASK_DEFINITION', 'SERVICE', 'NONE'] },
    enableECSManagedTags: { type: 'boolean' },
    enableExecuteCommand: { type: 'boolean' },
    loadBalancers: { type: 'list', of: 'structure' },
    networkConfiguration: { type: 'structure' },
  },
  handle(ctx, input) {
    const cluster = resolveCluster(ctx, input.cluster);
    const current = resolveService(ctx, cluster, input.service);
    if (current.status !== 'ACTIVE') throw new EcsError('ServiceNotActiveException', 'Service was not ACTIVE.');
    if ((input.loadBalancers?.length ?? 0) > 0) throw invalidParameter('Load balancers are not supported by this emulator.');
    const daemon = current.schedulingStrategy === 'DAEMON';
    if (daemon && input.desiredCount !== undefined) {
      throw invalidParameter('The daemon scheduling strategy does not support a desired count for services.');
    }
    checkDesiredCount(input.desiredCount);
    checkGracePeriod(input.healthCheckGracePeriodSeconds);
    const deployment = deploymentSettings(input.deploymentConfiguration, current.schedulingStrategy, current);
    const placement = placementSettings(
      input.placementConstraints ?? current.placementConstraints,
      input.placementStrategy ?? current.placementStrategy,
      current.schedulingStrategy,
    );
    let taskDefinition = current.taskDefinition;
    if (input.taskDefinition !== undefined) {
      const td = resolveTaskDefinition(ctx, input.taskDefinition);
      if (td.status !== 'ACTIVE') throw clientError('TaskDefinition is inactive');
      taskDefinition = td.arn;
    }
    const now = ctx.now();
    const desiredCount = input.desiredCount ?? current.desiredCount;
    let deployments = current.deployments;
    if (taskDefinition !== current.taskDefinition || input.forceNewDeployment) {
      deployments = [newDeployment(taskDefinition, desiredCount, now), ...current.deployments.map((d) => ({ ...d, status: 'ACTIVE' as const }))];
    } else if (deployments[0]) {
      deployments = [{ ...deployments[0], desiredCount, updatedAt: now }, ...deployments.slice(1)];
    }
    const updated: ServiceRecord = {
      ...current,
      taskDefinition,
      desiredCount,
      ...deployment,
      ...placement,
      healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds ?? current.healthCheckGracePeriodSeconds,
      propagateTags: input.propagateTags ?? current.propagateTags,
      enableECSManagedTags: input.enableECSManagedTags ?? current.enableECSManagedTags,
      deployments,
      steady: false,
    };
    ctx.store.putService(updated);
    ctx.services.changed();
    return { service: serviceView(ctx, updated, ctx.store.listLiveTasks(cluster.name)) };
  },
});
