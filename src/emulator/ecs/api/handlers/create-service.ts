import type { ServiceRecord } from '../../records.js';
import { checkLaunchTarget, checkPlatformVersion, refuseExecuteCommand } from '../launch-target.js';
import { newDeployment } from '../../services/deployments.js';
import { clientError, invalidParameter } from '../../errors.js';
import { ecsOperation } from '../service.js';
import { findService, resolveCluster, resolveTaskDefinition } from '../lookup.js';
import {
  checkDesiredCount,
  checkGracePeriod,
  deploymentSettings,
  placementSettings,
} from '../service-input.js';
import { serviceView } from '../service-view.js';
import { checkTags } from '../tags.js';

export const SERVICE_LAUNCH_TYPES = ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] as const;

/** A service with one PRIMARY deployment; the controller starts its tasks right after this call commits. */
ecsOperation('CreateService', {
  notEmulated: ['availabilityZoneRebalancing', 'role', 'serviceConnectConfiguration', 'volumeConfigurations', 'vpcLatticeConfigurations'],
  input: {
    cluster: { type: 'string' },
    serviceName: { type: 'string', required: true },
    taskDefinition: { type: 'string' },
    desiredCount: { type: 'integer' },
    clientToken: { type: 'string' },
    launchType: { type: 'string', enum: SERVICE_LAUNCH_TYPES },
    capacityProviderStrategy: { type: 'list', of: 'structure' },
    platformVersion: { type: 'string' },
    schedulingStrategy: { type: 'string', enum: ['REPLICA', 'DAEMON'] },
    deploymentConfiguration: { type: 'structure' },
    deploymentController: { type: 'structure' },
    placementConstraints: { type: 'list', of: 'structure' },
    placementStrategy: { type: 'list', of: 'structure' },
    healthCheckGracePeriodSeconds: { type: 'integer' },
    loadBalancers: { type: 'list', of: 'structure' },
    serviceRegistries: { type: 'list', of: 'structure' },
    networkConfiguration: { type: 'structure' },
    tags: { type: 'list', of: 'structure' },
    propagateTags: { type: 'string', enum: ['TASK_DEFINITION', 'SERVICE', 'NONE'] },
    enableECSManagedTags: { type: 'boolean' },
    enableExecuteCommand: { type: 'boolean' },
  },
  handle(ctx, input) {
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(input.serviceName)) {
      throw invalidParameter('Service name can only contain letters, numbers, hyphens and underscores (at most 255).');
    }
    if (input.deploymentController?.type && input.deploymentController.type !== 'ECS') {
      throw invalidParameter('Only the ECS deployment controller is supported.');
    }
    if ((input.loadBalancers?.length ?? 0) > 0) throw invalidParameter('Load balancers are not supported by this emulator.');
    if (!input.taskDefinition) throw invalidParameter('TaskDefinition must be specified for the ECS deployment controller.');
    const scheduling = input.schedulingStrategy ?? 'REPLICA';
    if (scheduling === 'DAEMON' && input.desiredCount !== undefined) {
      throw invalidParameter('The daemon scheduling strategy does not support a desired count for services.');
    }
    checkDesiredCount(input.desiredCount);
    checkGracePeriod(input.healthCheckGracePeriodSeconds);
    const deployment = deploymentSettings(input.deploymentConfiguration, scheduling);
    const placement = placementSettings(input.placementConstraints, input.placementStrategy, scheduling);
    const tags = checkTags(input.tags);
    const cluster = resolveCluster(ctx, input.cluster);
    const existing = findService(ctx, cluster, input.serviceName);
    if (existing && existing.status !== 'INACTIVE') throw invalidParameter('Creation of service was not idempotent.');
    const td = resolveTaskDefinition(ctx, input.taskDefinition);
    if (td.status !== 'ACTIVE') throw clientError('TaskDefinition is inactive');
    checkLaunchTarget(ctx, cluster, td.body, input.launchType, input.capacityProviderStrategy);
    checkPlatformVersion(input.platformVersion, input.launchType);
    refuseExecuteCommand(input.enableExecuteCommand);

    const now = ctx.now();
    const desiredCount = scheduling === 'DAEMON' ? 0 : (input.desiredCount ?? 0);
    const service: ServiceRecord = {
      arn: ctx.arns.service(cluster.name, input.serviceName),
      name: input.serviceName,
      cluster: cluster.name,
      status: 'ACTIVE',
      taskDefinition: td.arn,
      desiredCount,
      schedulingStrategy: scheduling,
      ...deployment,
      healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds,
      ...placement,
      deployments: [newDeployment(td.arn, desiredCount, now)],
      events: [],
      steady: false,
      createdAt: now,
      tags,
      propagateTags: input.propagateTags ?? 'NONE',
      enableECSManagedTags: input.enableECSManagedTags ?? false,
    };
    ctx.store.putService(service);
    ctx.services.changed();
    return { service: serviceView(ctx, service, [], true) };
  },
});
