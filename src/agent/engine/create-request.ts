/**
 * How a task container becomes a Docker create request (spec §10): the name scheme, the ECS labels, the
 * injected environment, explicit host ports, then the dockerConfig overlays.
 */
import { BerthError } from '../../shared/errors.js';
import type { CreateContainerRequest } from '../runtime/runtime.js';
import type { ContainerSpec, ContainerState, TaskSpec } from '../model/task.js';
import { linkTarget } from './dependencies.js';
import { isDynamic, portPairs } from '../model/port-mapping.js';
import { ecsLabels } from '../model/labels.js';

/**
 * The environment variables every task container gets (§8.3). `baseUrl` is where containers reach this agent's
 * metadata server: the official http://169.254.170.2, or the bridge gateway address when the link-local
 * endpoint is off (config.metadataBaseUrl, see http/endpoints.ts).
 */
export function injectedEnvironment(v3EndpointId: string, baseUrl = 'http://169.254.170.2'): Record<string, string> {
  return {
    ECS_CONTAINER_METADATA_URI: `${baseUrl}/v3/${v3EndpointId}`,
    ECS_CONTAINER_METADATA_URI_V4: `${baseUrl}/v4/${v3EndpointId}`,
    ECS_AGENT_URI: `${baseUrl}/api/${v3EndpointId}`,
  };
}

function parseOverlay(json: string | undefined, code: 'DockerClientConfigError' | 'HostConfigError'): Record<string, unknown> {
  if (json === undefined || json.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (err) {
    throw new BerthError(code, `Unable to decode given docker config: ${(err as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BerthError(code, 'docker config is not a JSON object');
  return v as Record<string, unknown>;
}

/** Go's json.Unmarshal onto a struct: keys present overwrite, maps merge, arrays and scalars are replaced. */
function overlay(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    const isMap = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
    out[k] = isMap(b) && isMap(v) ? { ...b, ...v } : v;
  }
  return out;
}

export interface CreateRequestInput {
  task: TaskSpec;
  spec: ContainerSpec;
  state: ContainerState;
  cluster: string;
  /** Docker names of the task's other containers (links, volumesFrom). */
  dockerNameOf?: (container: string) => string | undefined;
  /** Volume name -> Docker volume name, for task-scoped and shared docker volumes. */
  volumes?: Readonly<Record<string, string>>;
  /** Variables read from the container's environmentFiles; the task definition's environment wins over them. */
  fileEnvironment?: Readonly<Record<string, string>>;
  /** The container's secrets (engine/secrets.ts): they win over every other variable, as in the official agent. */
  secretEnvironment?: Readonly<Record<string, string>>;
  /** Secrets with target LOG_DRIVER (logConfiguration.secretOptions): options of the container's log driver. */
  secretLogOptions?: Readonly<Record<string, string>>;
  /** ECS_DISABLE_PRIVILEGED: a privileged container fails to create. */
  disablePrivileged?: boolean;
  /** config.metadataBaseUrl: where the container reaches the metadata server. */
  metadataBaseUrl?: string;
  /** awsvpc: the pause container whose network namespace the container joins (§5.7). */
  pauseContainerId?: string | undefined;
  /** The task's cgroup (cgroups/, ECS_ENABLE_TASK_CPU_MEM_LIMIT): HostConfig.CgroupParent. */
  cgroupParent?: string | undefined;
  /** What Docker's awslogs driver needs from the agent (see awslogsOptions). */
  awslogs?: AwslogsInput;
}

export interface AwslogsInput {
  /** `/v2/credentials/<id>` of the task's execution role credentials, when the agent holds them. */
  executionCredentialsUri?: string | undefined;
  /** config.logsEndpoint: the driver's `awslogs-endpoint` unless the container's options name one. */
  endpoint?: string | undefined;
}

/**
 * The log options the agent adds, as the official agent does in createContainer (ApplyExecutionRoleLogsAuth):
 * a container sent with logsAuthStrategy ExecutionRole gets `awslogs-credentials-endpoint`, the relative URI of
 * the execution role credentials, which dockerd's awslogs driver fetches from 169.254.170.2 (so logs ship as the
 * task's execution role, not as dockerd); without those credentials the container cannot be created. berth also
 * points the driver at a configured CloudWatch Logs endpoint (`berth up`: the emulator).
 */
function withAgentLogOptions(host: Record<string, unknown>, spec: ContainerSpec, input: AwslogsInput | undefined): void {
  const logConfig = host['LogConfig'] as { Type?: string; Config?: Record<string, string> } | undefined;
  if (spec.logsAuthExecutionRole) {
    if (input?.executionCredentialsUri === undefined) throw new BerthError('HostConfigError', 'Unable to get execution role credentials for task: no execution credentials set for the task');
    host['LogConfig'] = { ...logConfig, Config: { ...logConfig?.Config, 'awslogs-credentials-endpoint': input.executionCredentialsUri } };
  }
  const current = host['LogConfig'] as { Type?: string; Config?: Record<string, string> } | undefined;
  if (current?.Type === 'awslogs' && input?.endpoint !== undefined && current.Config?.['awslogs-endpoint'] === undefined) {
    host['LogConfig'] = { ...current, Config: { ...current.Config, 'awslogs-endpoint': input.endpoint } };
  }
}

/** HostConfig.Binds from mountPoints: `<host path or volume name>:<container path>[:ro]` (§10 step 3). */
function binds(task: TaskSpec, spec: ContainerSpec, volumes: Readonly<Record<string, string>>): string[] {
  return (spec.mountPoints ?? []).map((m) => {
    const vol = (task.volumes ?? []).find((v) => v.name === m.sourceVolume);
    if (!vol) throw new BerthError('CannotCreateContainerError', `container ${spec.name} mounts unknown volume ${m.sourceVolume}`);
    const source = vol.type === 'host' && vol.sourcePath !== '' ? vol.sourcePath : volumes[vol.name];
    if (source === undefined) throw new BerthError('CannotCreateContainerError', `volume ${vol.name} was not provisioned`);
    return `${source}:${m.containerPath}${m.readOnly ? ':ro' : ''}`;
  });
}

function peerName(name: string, dockerNameOf: CreateRequestInput['dockerNameOf']): string {
  const n = dockerNameOf?.(name);
  if (n === undefined) throw new BerthError('CannotCreateContainerError', `container ${name} has no docker name yet`);
  return n;
}

export function buildCreateRequest(input: CreateRequestInput): CreateContainerRequest {
  const { task, spec, state, cluster } = input;
  if (state.dockerName === undefined) throw new Error('container name must be assigned (and saved) before create');
  const env = { ...input.fileEnvironment, ...spec.environment, ...injectedEnvironment(state.v3EndpointId, input.metadataBaseUrl), ...input.secretEnvironment };
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  const awsvpc = task.networkMode === 'awsvpc';
  if (awsvpc && input.pauseContainerId === undefined) throw new Error('awsvpc container created before its pause container');
  // awsvpc: no host port bindings (Docker refuses them in container: mode); the ENI address serves the ports.
  if (!awsvpc) spec.portMappings.forEach((p, i) => {
    const hostPort = isDynamic(p) ? state.hostPorts?.[i] : p.hostPort;
    if (hostPort === undefined) throw new Error(`no host port assigned for ${p.containerPort}/${p.protocol}`);
    for (const pair of portPairs(p, hostPort)) {
      const key = `${pair.containerPort}/${p.protocol}`;
      exposed[key] = {};
      (bindings[key] ??= []).push({ HostIp: '', HostPort: String(pair.hostPort) });
    }
  });
  const config: Record<string, unknown> = {
    Image: spec.image,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    ExposedPorts: exposed,
    Labels: {},
    ...(spec.command ? { Cmd: spec.command } : {}),
    ...(spec.entryPoint ? { Entrypoint: spec.entryPoint } : {}),
  };
  const mode = awsvpc ? `container:${input.pauseContainerId}` : task.networkMode === 'host' || task.networkMode === 'none' ? task.networkMode : 'bridge';
  const links = (spec.links ?? []).map((l) => {
    const target = linkTarget(l);
    const alias = l.includes(':') ? l.slice(l.indexOf(':') + 1) : target;
    return `${peerName(target, input.dockerNameOf)}:${alias}`;
  });
  const volumesFrom = (spec.volumesFrom ?? []).map((v) => `${peerName(v.sourceContainer, input.dockerNameOf)}${v.readOnly ? ':ro' : ''}`);
  const mounts = binds(task, spec, input.volumes ?? {});
  const hostConfig: Record<string, unknown> = {
    ...(links.length ? { Links: links } : {}),
    ...(mounts.length ? { Binds: mounts } : {}),
    ...(volumesFrom.length ? { VolumesFrom: volumesFrom } : {}),
    PortBindings: bindings,
    CpuShares: Math.max(spec.cpu, 2),
    NetworkMode: mode,
    ...(spec.memory > 0 ? { Memory: Math.max(spec.memory, 4) * 2 ** 20 } : {}),
  };
  const finalConfig = overlay(config, parseOverlay(spec.dockerConfig, 'DockerClientConfigError'));
  const finalHost = overlay(hostConfig, parseOverlay(spec.dockerHostConfig, 'HostConfigError'));
  if (awsvpc) finalHost['NetworkMode'] = mode; // the namespace is the task's, whatever the overlay says
  // The task's limits hold whatever the overlay says, as the official agent's platformHostConfigOverride does.
  if (input.cgroupParent !== undefined) finalHost['CgroupParent'] = input.cgroupParent;
  withAgentLogOptions(finalHost, spec, input.awslogs);
  // As the official agent's createContainer: each log driver secret becomes an option of the driver.
  if (input.secretLogOptions && Object.keys(input.secretLogOptions).length > 0) {
    const logConfig = finalHost['LogConfig'] as { Type?: string; Config?: Record<string, string> } | undefined;
    finalHost['LogConfig'] = { ...logConfig, Config: { ...logConfig?.Config, ...input.secretLogOptions } };
  }
  if (input.disablePrivileged && finalHost['Privileged'] === true) {
    throw new BerthError('CannotCreateContainerError', 'privileged containers are disabled on this instance (ECS_DISABLE_PRIVILEGED)');
  }
  // ECS labels always win over labels from the task definition's dockerConfig.
  finalConfig['Labels'] = { ...((finalConfig['Labels'] as Record<string, string> | undefined) ?? {}), ...ecsLabels(task, spec.name, cluster) };
  return { name: state.dockerName, body: { ...finalConfig, HostConfig: finalHost } };
}
