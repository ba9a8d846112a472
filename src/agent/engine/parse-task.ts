/**
 * ACS Task -> berth's TaskSpec, validated at the edge (spec §3.3-§3.4). A task that fails here is reported
 * STOPPED with `UnrecogniedTaskError: Error loading task - <why>` and its payload is not acked (§4.1).
 */
import { randomUUID } from 'node:crypto';
import type { AcsContainer, AcsTask, AcsVolume } from '../../shared/protocol/acs.js';
import type { ContainerSpec, ContainerState, DependencySpec, PortMappingSpec, TaskRecord, TaskSpec, VolumeSpec } from '../model/task.js';
import { parseSecrets } from './secrets-spec.js';
import { parseContainerPortRange } from '../model/port-mapping.js';
import { taskEniOf } from '../model/eni.js';
import { parseDesiredTaskStatus } from '../../shared/model/status.js';

export class TaskParseError extends Error {}

function need<T>(v: T | undefined | null, what: string): T {
  if (v === undefined || v === null || v === '') throw new TaskParseError(`missing ${what}`);
  return v;
}

function stringList(v: unknown, what: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new TaskParseError(`${what} is not a list of strings`);
  return v;
}

/** `overrides` may be an object or a JSON string holding {"command":[...]} (§3.4). */
function commandOverride(overrides: unknown): string[] | undefined {
  if (overrides === undefined || overrides === null || overrides === '') return undefined;
  let o: unknown = overrides;
  if (typeof o === 'string') {
    try {
      o = JSON.parse(o);
    } catch {
      throw new TaskParseError('container overrides is not JSON');
    }
  }
  return stringList((o as { command?: unknown } | null)?.command, 'overrides.command');
}

const CONDITIONS = ['START', 'COMPLETE', 'SUCCESS', 'HEALTHY'] as const;

function dependsOn(v: AcsContainer['dependsOn'], name: string): DependencySpec[] {
  return (v ?? []).map((d, i) => {
    const condition = d.condition ?? 'START';
    if (!CONDITIONS.includes(condition)) throw new TaskParseError(`${name}.dependsOn[${i}].condition ${String(condition)} is not one of ${CONDITIONS.join(', ')}`);
    return { containerName: need(d.containerName, `${name}.dependsOn[${i}].containerName`), condition };
  });
}

/** environmentFiles arrive as [{value, type}]; berth reads `value` as a host path (it has no S3). */
function environmentFiles(v: unknown, name: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new TaskParseError(`${name}.environmentFiles is not a list`);
  return v.map((f: { value?: unknown }, i) => {
    if (typeof f?.value !== 'string' || f.value === '') throw new TaskParseError(`${name}.environmentFiles[${i}].value is missing`);
    return f.value;
  });
}

function parseVolume(v: AcsVolume, i: number): VolumeSpec {
  const name = need(v.name, `volumes[${i}].name`);
  const dvc = v.dockerVolumeConfiguration;
  const type = v.type === 'docker' || (v.type === undefined && dvc !== undefined) ? 'docker' : 'host';
  if (v.type !== undefined && v.type !== 'host' && v.type !== 'docker') throw new TaskParseError(`volume ${name}: type ${v.type} is not supported`);
  return {
    name,
    type,
    sourcePath: type === 'host' ? (v.host?.sourcePath ?? '') : '',
    scope: dvc?.scope === 'shared' ? 'shared' : 'task',
    autoprovision: dvc?.autoprovision ?? false,
    driver: dvc?.driver || 'local',
    driverOpts: { ...(dvc?.driverOpts ?? {}) },
    labels: { ...(dvc?.labels ?? {}) },
  };
}

function parseContainer(c: AcsContainer, i: number): ContainerSpec {
  const name = need(c.name, `containers[${i}].name`);
  const num = (v: unknown, what: string): number => {
    if (v === undefined || v === null) return 0;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TaskParseError(`${name}.${what} is not a number`);
    return v;
  };
  return {
    name,
    image: need(c.image, `${name}.image`),
    cpu: num(c.cpu, 'cpu'),
    memory: num(c.memory, 'memory'),
    essential: c.essential ?? true,
    command: commandOverride(c.overrides) ?? stringList(c.command, `${name}.command`),
    entryPoint: stringList(c.entryPoint, `${name}.entryPoint`),
    environment: { ...(c.environment ?? {}) },
    portMappings: (c.portMappings ?? []).map((p) => {
      const mapping: PortMappingSpec = {
        containerPort: num(p.containerPort, 'portMappings.containerPort'),
        hostPort: num(p.hostPort, 'portMappings.hostPort'),
        protocol: p.protocol === 'udp' ? 'udp' : 'tcp',
      };
      if (p.containerPortRange) {
        const range = parseContainerPortRange(p.containerPortRange);
        if (!range) throw new TaskParseError(`${name}.portMappings containerPortRange ${p.containerPortRange} is not a range like 8000-8010`);
        if (mapping.containerPort !== 0) throw new TaskParseError(`${name}.portMappings: containerPort and containerPortRange are exclusive`);
        mapping.containerPortRange = range;
      }
      return mapping;
    }),
    dockerConfig: c.dockerConfig?.config || undefined,
    dockerHostConfig: c.dockerConfig?.hostConfig || undefined,
    stopTimeoutSec: c.stopTimeout !== undefined && c.stopTimeout > 0 ? c.stopTimeout : undefined,
    startTimeoutSec: c.startTimeout !== undefined && c.startTimeout > 0 ? c.startTimeout : undefined,
    links: stringList(c.links, `${name}.links`) ?? [],
    mountPoints: (c.mountPoints ?? []).map((m, j) => ({
      sourceVolume: need(m.sourceVolume, `${name}.mountPoints[${j}].sourceVolume`),
      containerPath: need(m.containerPath, `${name}.mountPoints[${j}].containerPath`),
      readOnly: m.readOnly === true,
    })),
    volumesFrom: (c.volumesFrom ?? []).map((v, j) => ({
      sourceContainer: need(v.sourceContainer, `${name}.volumesFrom[${j}].sourceContainer`),
      readOnly: v.readOnly === true,
    })),
    dependsOn: dependsOn(c.dependsOn, name),
    healthCheckType: c.healthCheckType === 'docker' ? 'docker' : undefined,
    environmentFiles: environmentFiles((c as { environmentFiles?: unknown }).environmentFiles, name),
    ...registryAuth(c.registryAuthentication, name),
    ...(c.logsAuthStrategy === 'ExecutionRole' ? { logsAuthExecutionRole: true } : {}),
    ...parseSecrets(c.secrets, name, (why) => {
      throw new TaskParseError(why);
    }),
  };
}

/** registryAuthentication (§3.4): asm (a Secrets Manager secret) or ecr (a GetAuthorizationToken token). */
function registryAuth(v: AcsContainer['registryAuthentication'], name: string): { registryAuth?: ContainerSpec['registryAuth'] } {
  if (v?.type === 'ecr') {
    const d = v.ecrAuthData ?? {};
    const str = (x: unknown): string => (typeof x === 'string' ? x : '');
    // An empty registryId or region is filled at pull time (the caller's default registry, the agent's region).
    return { registryAuth: { type: 'ecr', registryId: str(d.registryId), region: str(d.region), endpointOverride: str(d.endpointOverride), useExecutionRole: d.useExecutionRole === true } };
  }
  if (v?.type !== 'asm') return {};
  const parameter = v.asmAuthData?.credentialsParameter;
  if (typeof parameter !== 'string' || parameter === '') throw new TaskParseError(`${name}.registryAuthentication.asmAuthData.credentialsParameter is missing`);
  // Without a region the agent's own region is used (at pull time).
  const region = typeof v.asmAuthData?.region === 'string' ? v.asmAuthData.region : '';
  return { registryAuth: { type: 'asm', credentialsParameter: parameter, region } };
}

export function parseTaskSpec(t: AcsTask): TaskSpec {
  const arn = need(t.arn, 'arn');
  const containers = need(t.containers, 'containers');
  if (!Array.isArray(containers) || containers.length === 0) throw new TaskParseError('task has no containers');
  const specs = containers.map(parseContainer);
  const names = new Set(specs.map((c) => c.name));
  if (names.size !== specs.length) throw new TaskParseError('duplicate container names');
  const networkMode = t.networkMode || 'bridge';
  let eni: TaskSpec['eni'];
  if (networkMode === 'awsvpc') {
    try {
      eni = taskEniOf(t.elasticNetworkInterfaces);
    } catch (err) {
      throw new TaskParseError((err as Error).message);
    }
  }
  return {
    arn,
    ...(eni ? { eni } : {}),
    family: need(t.family, 'family'),
    version: need(t.version, 'version'),
    networkMode,
    containers: specs,
    volumes: (t.volumes ?? []).map(parseVolume),
    cpu: typeof t.cpu === 'number' && t.cpu > 0 ? t.cpu : undefined,
    memory: typeof t.memory === 'number' && t.memory > 0 ? t.memory : undefined,
    ...(t.executionRoleCredentials?.credentialsId ? { executionCredentialsId: t.executionRoleCredentials.credentialsId } : {}),
  };
}

function initialContainer(spec: ContainerSpec): ContainerState {
  return {
    name: spec.name,
    known: 'NONE',
    sent: 'NONE',
    dockerName: undefined,
    dockerId: undefined,
    v3EndpointId: randomUUID(),
    hostPorts: undefined,
    exitCode: undefined,
    reason: undefined,
    bindings: [],
    startedAt: undefined,
    health: 'UNKNOWN',
    healthOutput: undefined,
    imageDigest: undefined,
  };
}

/** A fresh record for a task the engine has not seen. */
export function newTaskRecord(spec: TaskSpec, desired: string | undefined): TaskRecord {
  return {
    spec,
    state: {
      desired: parseDesiredTaskStatus(desired),
      known: 'NONE',
      sent: 'NONE',
      reason: '',
      pullStartedAt: undefined,
      pullStoppedAt: undefined,
      executionStoppedAt: undefined,
      stoppedAt: undefined,
      volumes: {},
      volumesReady: false,
      containers: spec.containers.map(initialContainer),
    },
  };
}
