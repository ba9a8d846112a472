/** Small task records for engine logic tests (no Docker). */
import { newTaskRecord } from '../../src/agent/engine/parse-task.js';
import type { ContainerSpec, TaskRecord, VolumeSpec } from '../../src/agent/model/task.js';
import type { ContainerStatus } from '../../src/shared/model/status.js';

export function container(name: string, extra: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    name, image: 'berth/busybox:latest', cpu: 0, memory: 0, essential: true, command: undefined, entryPoint: undefined,
    environment: {}, portMappings: [], dockerConfig: undefined, dockerHostConfig: undefined, stopTimeoutSec: undefined,
    ...extra,
  };
}

export function record(containers: ContainerSpec[], desired = 'RUNNING', volumes: VolumeSpec[] = []): TaskRecord {
  return newTaskRecord({ arn: 'arn:aws:ecs:us-west-2:1:task/c/t1', family: 'fam', version: '2', networkMode: 'bridge', containers, volumes }, desired);
}

/** Sets a container's observed state. */
export function set(rec: TaskRecord, name: string, known: ContainerStatus, extra: { exitCode?: number; startedAt?: number; health?: 'HEALTHY' | 'UNHEALTHY'; dockerId?: string } = {}): void {
  const c = rec.state.containers.find((x) => x.name === name)!;
  c.known = known;
  if (known === 'CREATED' || known === 'RUNNING' || known === 'STOPPED') c.dockerId = extra.dockerId ?? `id-${name}`;
  if (known === 'RUNNING') c.startedAt = extra.startedAt ?? 1000;
  if (extra.startedAt !== undefined) c.startedAt = extra.startedAt;
  if (extra.exitCode !== undefined) c.exitCode = extra.exitCode;
  if (extra.health) c.health = extra.health;
}
