/**
 * How a task container becomes a Docker create request (spec §10): the name scheme, the ECS labels, the
 * injected environment, explicit host ports, then the dockerConfig overlays.
 */
import { randomBytes } from 'node:crypto';
import { BerthError } from '../../shared/errors.js';
import type { CreateContainerRequest } from '../runtime/runtime.js';
import type { ContainerSpec, ContainerState, TaskSpec } from './model.js';

export const LABEL_TASK_ARN = 'com.amazonaws.ecs.task-arn';
export const LABEL_CONTAINER_NAME = 'com.amazonaws.ecs.container-name';
export const LABEL_FAMILY = 'com.amazonaws.ecs.task-definition-family';
export const LABEL_VERSION = 'com.amazonaws.ecs.task-definition-version';
export const LABEL_CLUSTER = 'com.amazonaws.ecs.cluster';

/** `ecs-<family>-<revision>-<name without [^A-Za-z0-9-]>-<20 hex>`, assigned once and persisted. */
export function dockerContainerName(task: TaskSpec, containerName: string, random: Buffer = randomBytes(10)): string {
  const clean = containerName.replace(/[^A-Za-z0-9-]/g, '');
  return `ecs-${task.family}-${task.version}-${clean}-${random.toString('hex')}`;
}

export function ecsLabels(task: TaskSpec, containerName: string, cluster: string): Record<string, string> {
  return {
    [LABEL_TASK_ARN]: task.arn,
    [LABEL_CONTAINER_NAME]: containerName,
    [LABEL_FAMILY]: task.family,
    [LABEL_VERSION]: task.version,
    [LABEL_CLUSTER]: cluster,
  };
}

/** The environment variables every task container gets (§8.3). */
export function injectedEnvironment(v3EndpointId: string): Record<string, string> {
  return {
    ECS_CONTAINER_METADATA_URI: `http://169.254.170.2/v3/${v3EndpointId}`,
    ECS_CONTAINER_METADATA_URI_V4: `http://169.254.170.2/v4/${v3EndpointId}`,
    ECS_AGENT_URI: `http://169.254.170.2/api/${v3EndpointId}`,
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
}

export function buildCreateRequest({ task, spec, state, cluster }: CreateRequestInput): CreateContainerRequest {
  if (state.dockerName === undefined) throw new Error('container name must be assigned (and saved) before create');
  const env = { ...spec.environment, ...injectedEnvironment(state.v3EndpointId) };
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  spec.portMappings.forEach((p, i) => {
    const key = `${p.containerPort}/${p.protocol}`;
    exposed[key] = {};
    const hostPort = p.hostPort !== 0 ? p.hostPort : state.hostPorts?.[i];
    if (hostPort === undefined) throw new Error(`no host port assigned for ${key}`);
    (bindings[key] ??= []).push({ HostIp: '', HostPort: String(hostPort) });
  });
  const config: Record<string, unknown> = {
    Image: spec.image,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    ExposedPorts: exposed,
    Labels: {},
    ...(spec.command ? { Cmd: spec.command } : {}),
    ...(spec.entryPoint ? { Entrypoint: spec.entryPoint } : {}),
  };
  const mode = task.networkMode === 'host' || task.networkMode === 'none' ? task.networkMode : 'bridge';
  const hostConfig: Record<string, unknown> = {
    PortBindings: bindings,
    CpuShares: Math.max(spec.cpu, 2),
    NetworkMode: mode,
    ...(spec.memory > 0 ? { Memory: Math.max(spec.memory, 4) * 2 ** 20 } : {}),
  };
  const finalConfig = overlay(config, parseOverlay(spec.dockerConfig, 'DockerClientConfigError'));
  const finalHost = overlay(hostConfig, parseOverlay(spec.dockerHostConfig, 'HostConfigError'));
  // ECS labels always win over labels from the task definition's dockerConfig.
  finalConfig['Labels'] = { ...((finalConfig['Labels'] as Record<string, string> | undefined) ?? {}), ...ecsLabels(task, spec.name, cluster) };
  return { name: state.dockerName, body: { ...finalConfig, HostConfig: finalHost } };
}
