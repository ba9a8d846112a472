import type { AcsContainer, AcsTask, AcsVolume, PayloadMessage, PortMapping } from '../../../shared/protocol/acs.js';
import { parseTaskCpu, parseTaskMemory } from '../scheduler/demand.js';
import type { ContainerRecord, TaskDefinitionRecord, TaskRecord } from '../records.js';
import { logConfigurationForAgent, usesExecutionRoleForLogs, type LogConfiguration } from './log-configuration.js';
import { dockerConfigFor } from './docker-config.js';
import { ecrRegistryAuthenticationFor, type EmulatedEcr } from '../../ecr/registry.js';
import { acsSecretsFor } from '../container-secrets.js';

/** Container definition members the payload reads (ecs-service-2.json names). */
interface ContainerDefinition {
  name: string;
  image: string;
  essential?: boolean;
  cpu?: number;
  memory?: number;
  command?: string[];
  entryPoint?: string[];
  environment?: { name?: string; value?: string }[];
  portMappings?: { containerPort?: number; hostPort?: number; protocol?: string; containerPortRange?: string }[];
  mountPoints?: { sourceVolume?: string; containerPath?: string; readOnly?: boolean }[];
  volumesFrom?: { sourceContainer?: string; readOnly?: boolean }[];
  links?: string[];
  dependsOn?: { containerName?: string; condition?: 'START' | 'COMPLETE' | 'SUCCESS' | 'HEALTHY' }[];
  startTimeout?: number;
  stopTimeout?: number;
  healthCheck?: { command?: string[] };
  environmentFiles?: { value?: string; type?: 's3' }[];
  repositoryCredentials?: { credentialsParameter?: string };
  secrets?: { name?: string; valueFrom?: string }[];
  logConfiguration?: LogConfiguration;
}

interface VolumeDefinition {
  name?: string;
  host?: { sourcePath?: string };
  dockerVolumeConfiguration?: AcsVolume['dockerVolumeConfiguration'];
}

function portMappingsFor(def: ContainerDefinition, networkMode: string): PortMapping[] {
  return (def.portMappings ?? []).map((pm) => {
    const out: PortMapping = { protocol: pm.protocol === 'udp' ? 'udp' : 'tcp' };
    if (pm.containerPortRange) out.containerPortRange = pm.containerPortRange;
    if (pm.containerPort !== undefined) out.containerPort = pm.containerPort;
    // In host/awsvpc mode the host port is the container port (ECS fills it in); in bridge 0 = dynamic.
    const sameAsContainer = networkMode === 'host' || networkMode === 'awsvpc';
    out.hostPort = pm.hostPort ?? (sameAsContainer ? (pm.containerPort ?? 0) : 0);
    return out;
  });
}

/**
 * repositoryCredentials -> registryAuthentication {type asm} (§3.4): the secret's region is the one in its ARN,
 * else the task's region (a bare name names a secret of the task's region).
 */
function registryAuthenticationFor(def: ContainerDefinition, region: string): AcsContainer['registryAuthentication'] {
  const parameter = def.repositoryCredentials?.credentialsParameter;
  if (!parameter) return undefined;
  const arnRegion = parameter.startsWith('arn:') ? parameter.split(':')[3] : undefined;
  return { type: 'asm', asmAuthData: { credentialsParameter: parameter, region: arnRegion || region } };
}

function containerFor(def: ContainerDefinition, rec: ContainerRecord, task: TaskRecord, networkMode: string, region: string, executionRoleArn: unknown): AcsContainer {
  const override = task.containerOverrides.find((o) => o.name === def.name);
  const environment: Record<string, string> = {};
  for (const e of [...(def.environment ?? []), ...(override?.environment ?? [])]) {
    if (e.name) environment[e.name] = e.value ?? '';
  }
  const c: AcsContainer = {
    name: def.name,
    containerArn: rec.containerArn,
    image: def.image,
    command: override?.command ?? def.command ?? [],
    entryPoint: def.entryPoint ?? [],
    essential: def.essential ?? true,
    cpu: rec.cpu ?? 0,
    memory: rec.memory ?? 0,
    portMappings: portMappingsFor(def, networkMode),
    environment,
    mountPoints: def.mountPoints ?? [],
    volumesFrom: def.volumesFrom ?? [],
    links: def.links ?? [],
  };
  if (def.dependsOn?.length) c.dependsOn = def.dependsOn;
  if (def.startTimeout !== undefined) c.startTimeout = def.startTimeout;
  if (def.stopTimeout !== undefined) c.stopTimeout = def.stopTimeout;
  if (def.healthCheck?.command) c.healthCheckType = 'docker';
  if (def.environmentFiles?.length) c.environmentFiles = def.environmentFiles;
  const registryAuthentication = registryAuthenticationFor(def, region);
  if (registryAuthentication) c.registryAuthentication = registryAuthentication;
  const secrets = [...acsSecretsFor(def.secrets, region), ...acsSecretsFor(def.logConfiguration?.secretOptions, region, 'LOG_DRIVER')];
  if (secrets.length) c.secrets = secrets;
  if (usesExecutionRoleForLogs(def.logConfiguration, executionRoleArn)) c.logsAuthStrategy = 'ExecutionRole';
  const logConfiguration = logConfigurationForAgent(def.logConfiguration, def.name, task.arn, region);
  const dockerConfig = dockerConfigFor({ ...def, memoryReservation: rec.memoryReservation, ...(logConfiguration ? { logConfiguration } : {}) }, networkMode);
  if (dockerConfig) c.dockerConfig = dockerConfig;
  return c;
}

/**
 * One task as ACS carries it: the shape the official agent accepted in acs-messages.jsonl. `ecr`: the emulated
 * ECR registry, whose images (like those on a real ECR host) pull with registryAuthentication type ecr.
 */
export function acsTaskFor(task: TaskRecord, td: TaskDefinitionRecord, accountId: string, ecr?: EmulatedEcr): AcsTask {
  const body = td.body;
  const networkMode = typeof body['networkMode'] === 'string' ? body['networkMode'] : 'bridge';
  const defs = body['containerDefinitions'] as ContainerDefinition[];
  const region = task.arn.split(':')[3] ?? ''; // arn:aws:ecs:<region>:<account>:task/...
  const volumes = ((body['volumes'] ?? []) as VolumeDefinition[]).map((v): AcsVolume => {
    if (v.dockerVolumeConfiguration) return { name: v.name, type: 'docker', dockerVolumeConfiguration: v.dockerVolumeConfiguration };
    return { name: v.name, type: 'host', host: { sourcePath: v.host?.sourcePath ?? '' } };
  });
  const out: AcsTask = {
    arn: task.arn,
    family: td.family,
    version: String(td.revision),
    desiredStatus: task.desiredStatus,
    taskDefinitionAccountId: accountId,
    networkMode,
    launchType: 'EC2',
    containers: task.containers.map((rec) => {
      const def = defs.find((d) => d.name === rec.name) ?? { name: rec.name, image: rec.image };
      const c = containerFor(def, rec, task, networkMode, region, body['executionRoleArn']);
      // repositoryCredentials (asm) name another registry's credentials; otherwise ECR images get ECR auth.
      const ecrAuth = c.registryAuthentication ? undefined : ecrRegistryAuthenticationFor(def.image, typeof body['executionRoleArn'] === 'string', ecr);
      if (ecrAuth) c.registryAuthentication = ecrAuth;
      return c;
    }),
    volumes,
    associations: [],
    attachments: [],
    elasticNetworkInterfaces: [],
  };
  const cpuUnits = parseTaskCpu(task.cpu ?? body['cpu']); // task.cpu carries a RunTask override
  if (cpuUnits !== undefined) out.cpu = cpuUnits / 1024;
  const memory = parseTaskMemory(task.memory ?? body['memory']);
  if (memory !== undefined) out.memory = memory;
  if (typeof body['pidMode'] === 'string') out.pidMode = body['pidMode'];
  if (typeof body['ipcMode'] === 'string') out.ipcMode = body['ipcMode'];
  return out;
}

export function payloadMessage(fields: {
  messageId: string;
  seqNum: number;
  clusterArn: string;
  containerInstanceArn: string;
  generatedAtMs: number;
  tasks: AcsTask[];
}): PayloadMessage {
  return {
    messageId: fields.messageId,
    seqNum: fields.seqNum,
    clusterArn: fields.clusterArn,
    containerInstanceArn: fields.containerInstanceArn,
    generatedAt: Math.floor(fields.generatedAtMs / 1000),
    tasks: fields.tasks,
  };
}
