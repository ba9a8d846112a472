import { epochSeconds } from '../../../shared/time.js';
import { compatibilitiesOf } from './fargate-rules.js';
import { requiredAttributes } from '../scheduler/required-attributes.js';
import type { EmulatorContext } from '../context.js';
import { remainingResources } from '../scheduler/capacity.js';
import type {
  ClusterRecord,
  ContainerInstanceRecord,
  TaskDefinitionRecord,
  TaskRecord,
} from '../records.js';
import { isPendingStatus } from '../tasks/status.js';

/** Records -> ECS response structures (ecs-service-2.json member names; timestamps as epoch seconds). */
const ts = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : epochSeconds(ms));

/** Counts as ECS shows them: registered = ACTIVE + DRAINING instances, active services = ACTIVE + DRAINING. */
export function clusterView(ctx: EmulatorContext, c: ClusterRecord): Record<string, unknown> {
  const inactive = c.status === 'INACTIVE';
  const instances = inactive ? [] : ctx.store.listInstances(c.name).filter((i) => i.status !== 'INACTIVE');
  const tasks = inactive ? [] : ctx.store.listLiveTasks(c.name);
  const services = inactive ? [] : ctx.store.listServices(c.name).filter((s) => s.status !== 'INACTIVE');
  return {
    clusterArn: c.arn,
    clusterName: c.name,
    status: c.status ?? 'ACTIVE',
    registeredContainerInstancesCount: instances.length,
    runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
    pendingTasksCount: tasks.filter((t) => isPendingStatus(t.lastStatus)).length,
    activeServicesCount: services.length,
    statistics: [],
    tags: c.tags,
    settings: c.settings ?? [{ name: 'containerInsights', value: 'disabled' }],
    ...(c.configuration ? { configuration: c.configuration } : {}),
    capacityProviders: c.capacityProviders ?? [],
    defaultCapacityProviderStrategy: c.defaultCapacityProviderStrategy ?? [],
  };
}

export function taskDefinitionView(td: TaskDefinitionRecord): Record<string, unknown> {
  const body = td.body;
  return {
    ...body,
    taskDefinitionArn: td.arn,
    family: td.family,
    revision: td.revision,
    status: td.status,
    volumes: body['volumes'] ?? [],
    placementConstraints: body['placementConstraints'] ?? [],
    networkMode: body['networkMode'] ?? 'bridge',
    requiresAttributes: requiredAttributes(body),
    compatibilities: compatibilitiesOf(body),
    requiresCompatibilities: body['requiresCompatibilities'] ?? [],
    registeredAt: epochSeconds(td.registeredAt),
    deregisteredAt: ts(td.deregisteredAt),
  };
}

export function instanceView(ctx: EmulatorContext, i: ContainerInstanceRecord): Record<string, unknown> {
  const tasks = ctx.store.listTasksOnInstance(i.arn);
  return {
    containerInstanceArn: i.arn,
    ec2InstanceId: i.ec2InstanceId,
    version: tasks.length,
    versionInfo: i.versionInfo,
    status: i.status,
    agentConnected: ctx.delivery.isConnected(i.arn),
    attributes: i.attributes,
    registeredResources: i.registeredResources,
    remainingResources: remainingResources(i, tasks),
    runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
    pendingTasksCount: tasks.filter((t) => isPendingStatus(t.lastStatus)).length,
    registeredAt: epochSeconds(i.registeredAt),
    attachments: [],
    tags: i.tags,
  };
}

/** Tags appear only when asked for (DescribeTasks include TAGS), as in ECS. */
/** containers[].networkInterfaces of an awsvpc task: its ENI attachment id and private address. */
function networkInterfacesOf(t: TaskRecord): { attachmentId: string; privateIpv4Address: string | undefined }[] {
  return (t.attachments ?? [])
    .filter((a) => a.type === 'ElasticNetworkInterface')
    .map((a) => ({ attachmentId: a.id, privateIpv4Address: a.details.find((d) => d.name === 'privateIPv4Address')?.value }));
}

export function taskView(ctx: EmulatorContext, t: TaskRecord, withTags = false): Record<string, unknown> {
  const str = (n: number | undefined): string | undefined => (n === undefined ? undefined : String(n));
  return {
    taskArn: t.arn,
    clusterArn: ctx.arns.cluster(t.cluster),
    taskDefinitionArn: t.taskDefinitionArn,
    containerInstanceArn: t.containerInstanceArn,
    overrides: {
      containerOverrides: t.containerOverrides,
      inferenceAcceleratorOverrides: [],
      cpu: t.overrideCpu,
      memory: t.overrideMemory,
    },
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    cpu: t.cpu,
    memory: t.memory,
    containers: t.containers.map((c) => ({
      containerArn: c.containerArn,
      taskArn: t.arn,
      name: c.name,
      image: c.image,
      imageDigest: c.imageDigest,
      runtimeId: c.runtimeId,
      lastStatus: c.lastStatus,
      exitCode: c.exitCode,
      reason: c.reason,
      networkBindings: c.networkBindings ?? [],
      networkInterfaces: networkInterfacesOf(t),
      healthStatus: ctx.telemetry?.containerHealth(t.arn, c.name) ?? 'UNKNOWN',
      cpu: str(c.cpu ?? 0),
      memory: str(c.memory),
      memoryReservation: str(c.memoryReservation),
    })),
    startedBy: t.startedBy,
    group: t.group,
    version: t.version,
    launchType: 'EC2',
    availabilityZone: `${ctx.arns.region}a`,
    connectivity: t.connectivityAt !== undefined ? 'CONNECTED' : undefined,
    connectivityAt: ts(t.connectivityAt),
    createdAt: ts(t.createdAt),
    pullStartedAt: ts(t.pullStartedAt),
    pullStoppedAt: ts(t.pullStoppedAt),
    startedAt: ts(t.startedAt),
    executionStoppedAt: ts(t.executionStoppedAt),
    stoppingAt: ts(t.stoppingAt),
    stoppedAt: ts(t.stoppedAt),
    stoppedReason: t.stoppedReason,
    stopCode: t.stopCode,
    healthStatus: ctx.telemetry?.taskHealth(t.arn, t.containers) ?? 'UNKNOWN',
    enableExecuteCommand: false,
    attachments: t.attachments ?? [],
    tags: withTags ? (t.tags ?? []) : undefined,
  };
}
