/**
 * ACS Task -> berth's TaskSpec, validated at the edge (spec §3.3-§3.4). A task that fails here is reported
 * STOPPED with `UnrecogniedTaskError: Error loading task - <why>` and its payload is not acked (§4.1).
 */
import { randomUUID } from 'node:crypto';
import type { AcsContainer, AcsTask } from '../../shared/protocol/acs.js';
import type { ContainerSpec, ContainerState, TaskRecord, TaskSpec } from './model.js';
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
    portMappings: (c.portMappings ?? []).map((p) => ({
      containerPort: num(p.containerPort, 'portMappings.containerPort'),
      hostPort: num(p.hostPort, 'portMappings.hostPort'),
      protocol: p.protocol === 'udp' ? 'udp' : 'tcp',
    })),
    dockerConfig: c.dockerConfig?.config || undefined,
    dockerHostConfig: c.dockerConfig?.hostConfig || undefined,
    stopTimeoutSec: c.stopTimeout !== undefined && c.stopTimeout > 0 ? c.stopTimeout : undefined,
  };
}

export function parseTaskSpec(t: AcsTask): TaskSpec {
  const arn = need(t.arn, 'arn');
  const containers = need(t.containers, 'containers');
  if (!Array.isArray(containers) || containers.length === 0) throw new TaskParseError('task has no containers');
  const specs = containers.map(parseContainer);
  const names = new Set(specs.map((c) => c.name));
  if (names.size !== specs.length) throw new TaskParseError('duplicate container names');
  return {
    arn,
    family: need(t.family, 'family'),
    version: need(t.version, 'version'),
    networkMode: t.networkMode || 'bridge',
    containers: specs,
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
      containers: spec.containers.map(initialContainer),
    },
  };
}
