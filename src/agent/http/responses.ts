/**
 * The JSON shapes of the local endpoints (spec §8.1-§8.2), built from a task record plus what `docker inspect`
 * says about its containers. Pure functions: member names, order and omit-when-empty rules follow the official
 * agent's Go structs (`omitempty` members are left out when empty, the others are always present).
 */
import { taskBackendStatus, type ContainerStatus } from '../../shared/model/status.js';
import type { ContainerSpec, ContainerState, TaskRecord } from '../model/task.js';
import type { ContainerInspect } from '../runtime/runtime.js';
import type { TaskTagMembers } from './task-tags.js';

/** Facts about a container that only Docker knows; undefined before create or when inspect failed. */
export type Details = ReadonlyMap<string, ContainerInspect | undefined>;

export interface ResponseContext {
  cluster: string;
  availabilityZone: string | undefined;
  launchType: string;
  containerInstanceArn: string;
}

type Json = Record<string, unknown>;

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

/** Drops undefined members and empty arrays/objects, like Go's `omitempty`, for the listed keys only. */
function omitEmpty(o: Json, keys: readonly string[]): Json {
  for (const k of keys) {
    const v = o[k];
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)) {
      delete o[k];
    }
  }
  return o;
}

function pairs(rec: TaskRecord): { spec: ContainerSpec; state: ContainerState }[] {
  return rec.spec.containers.flatMap((spec) => {
    const state = rec.state.containers.find((c) => c.name === spec.name);
    return state ? [{ spec, state }] : [];
  });
}

/** Container desired status as the official agent derives it from the task's. */
function containerDesired(rec: TaskRecord): ContainerStatus {
  return rec.state.desired === 'STOPPED' ? 'STOPPED' : 'RUNNING';
}

function ports(spec: ContainerSpec, state: ContainerState, rec: TaskRecord, withHostIp: boolean): Json[] {
  const awsvpc = rec.spec.networkMode === 'awsvpc';
  if (state.bindings.length > 0) {
    return state.bindings
      .filter((b) => !b.bindIP.includes(':'))
      .map((b) => omitEmpty({ ContainerPort: b.containerPort, Protocol: b.protocol, HostPort: awsvpc ? b.containerPort : b.hostPort, HostIp: withHostIp ? b.bindIP : undefined }, ['HostIp']));
  }
  // Not running (yet): what the task asked for, with the host ports assigned at create.
  return spec.portMappings.map((p, i) => {
    const host = p.hostPort !== 0 ? p.hostPort : state.hostPorts?.[i];
    return omitEmpty({ ContainerPort: p.containerPort, Protocol: p.protocol, HostPort: awsvpc ? p.containerPort : host }, ['HostPort']);
  });
}

function networks(rec: TaskRecord, info: ContainerInspect | undefined, v4: boolean): Json[] {
  if (!info?.networks) return [];
  const mode = rec.spec.networkMode === 'host' || rec.spec.networkMode === 'none' ? rec.spec.networkMode : (info.networkMode ?? 'bridge');
  if (mode === 'host' || mode === 'none') return v4 && mode === 'host' ? [{ NetworkMode: 'host' }] : [];
  return info.networks.map((n) =>
    omitEmpty(
      { NetworkMode: n.name === 'bridge' ? mode : n.name, IPv4Addresses: n.ipv4 ? [n.ipv4] : [], IPv6Addresses: n.ipv6 ? [n.ipv6] : [] },
      ['IPv4Addresses', 'IPv6Addresses'],
    ),
  );
}

function health(state: ContainerState, spec: ContainerSpec): Json | undefined {
  if (spec.healthCheckType !== 'docker' || state.health === undefined) return undefined;
  return omitEmpty({ status: state.health, output: state.healthOutput }, ['output']);
}

/** v2/v3 ContainerResponse; `v4` adds HostIp, ContainerARN-less extras and per-network detail members. */
export function containerResponse(rec: TaskRecord, spec: ContainerSpec, state: ContainerState, info: ContainerInspect | undefined, v4: boolean): Json {
  const out: Json = {
    DockerId: state.dockerId ?? '',
    Name: spec.name,
    DockerName: state.dockerName ?? '',
    Image: spec.image,
    ImageID: info?.imageId ?? state.imageDigest ?? '',
    Ports: ports(spec, state, rec, v4),
    Labels: info?.labels,
    DesiredStatus: containerDesired(rec),
    KnownStatus: state.known,
    ExitCode: state.exitCode,
    Limits: { CPU: Math.max(spec.cpu, 0), Memory: spec.memory },
    CreatedAt: iso(info?.createdAt),
    StartedAt: iso(info?.startedAt ?? state.startedAt),
    FinishedAt: iso(info?.finishedAt),
    Type: 'NORMAL',
    Networks: networks(rec, info, v4),
    Health: health(state, spec),
  };
  if (v4) {
    out['LogDriver'] = logDriver(spec);
    out['LogOptions'] = logOptions(spec);
  }
  return omitEmpty(out, ['Ports', 'Labels', 'ExitCode', 'CreatedAt', 'StartedAt', 'FinishedAt', 'Networks', 'Health', 'LogDriver', 'LogOptions']);
}

function hostConfig(spec: ContainerSpec): { LogConfig?: { Type?: string; Config?: Record<string, string> } } {
  try {
    return spec.dockerHostConfig ? (JSON.parse(spec.dockerHostConfig) as ReturnType<typeof hostConfig>) : {};
  } catch {
    return {};
  }
}
const logDriver = (spec: ContainerSpec): string | undefined => hostConfig(spec).LogConfig?.Type;
const logOptions = (spec: ContainerSpec): Record<string, string> | undefined => hostConfig(spec).LogConfig?.Config;

/**
 * v2/v3 TaskResponse (`v4` adds LaunchType, ContainerInstance-level extras and v4 containers). `tags` (the
 * withTags paths) adds TaskTags / ContainerInstanceTags where their lookups worked, and on v4 the failed
 * lookups as `Errors[]`.
 */
export function taskResponse(rec: TaskRecord, details: Details, ctx: ResponseContext, v4: boolean, tags?: TaskTagMembers): Json {
  const s = rec.state;
  const limits = omitEmpty({ CPU: rec.spec.cpu, Memory: rec.spec.memory }, ['CPU', 'Memory']);
  const out: Json = {
    Cluster: ctx.cluster,
    TaskARN: rec.spec.arn,
    Family: rec.spec.family,
    Revision: rec.spec.version,
    DesiredStatus: s.desired,
    KnownStatus: s.known,
    Containers: pairs(rec).map(({ spec, state }) => containerResponse(rec, spec, state, details.get(spec.name), v4)),
    Limits: limits,
    PullStartedAt: iso(s.pullStartedAt),
    PullStoppedAt: iso(s.pullStoppedAt),
    ExecutionStoppedAt: iso(s.executionStoppedAt),
    AvailabilityZone: ctx.availabilityZone,
    TaskTags: tags?.TaskTags,
    ContainerInstanceTags: tags?.ContainerInstanceTags,
  };
  if (v4) {
    out['LaunchType'] = ctx.launchType;
    out['Errors'] = tags?.Errors;
    out['FaultInjectionEnabled'] = false;
  }
  return omitEmpty(out, ['DesiredStatus', 'Containers', 'Limits', 'PullStartedAt', 'PullStoppedAt', 'ExecutionStoppedAt', 'AvailabilityZone', 'TaskTags', 'ContainerInstanceTags', 'LaunchType', 'Errors']);
}

/** Introspection `/v1/tasks` TaskResponse (§8.1): backend statuses, DesiredStatus blanked when contradictory. */
export function introspectionTask(rec: TaskRecord): Json {
  const known = taskBackendStatus(rec.state.known);
  let desired: string | undefined = taskBackendStatus(rec.state.desired);
  // The official agent blanks a desired status that would read as a step backwards (e.g. known STOPPED, desired RUNNING).
  if (known === 'STOPPED' && desired !== 'STOPPED') desired = undefined;
  return omitEmpty(
    {
      Arn: rec.spec.arn,
      DesiredStatus: desired,
      KnownStatus: known,
      Family: rec.spec.family,
      Version: rec.spec.version,
      Containers: pairs(rec).map(({ spec, state }) =>
        omitEmpty(
          {
            DockerId: state.dockerId ?? '',
            DockerName: state.dockerName ?? '',
            Name: spec.name,
            Ports: state.bindings.filter((b) => !b.bindIP.includes(':')).map((b) => ({ ContainerPort: b.containerPort, Protocol: b.protocol, HostPort: b.hostPort })),
          },
          ['Ports'],
        ),
      ),
    },
    ['DesiredStatus'],
  );
}

