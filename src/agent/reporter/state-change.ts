/**
 * SubmitTaskStateChange bodies, shaped like the official agent's (spec §6.1, transcripts 0004/0005):
 * {cluster, task, status, reason, containers[{containerName, runtimeId, status, exitCode?, reason?,
 * networkBindings}], pullStartedAt?, pullStoppedAt?, executionStoppedAt?}.
 */
import type { ContainerStateChange, SubmitTaskStateChangeCommandInput } from '@aws-sdk/client-ecs';
import { containerBackendStatus, taskBackendStatus, type ContainerStatus, type TaskStatus } from '../../shared/model/status.js';
import type { NetworkBinding } from '../runtime/runtime.js';
import type { TaskRecord } from '../engine/model.js';

/** What a change reports, so the sender can mark exactly that as sent afterwards. */
export interface TaskStateChange {
  taskArn: string;
  status: TaskStatus;
  containers: { name: string; status: ContainerStatus }[];
  input: SubmitTaskStateChangeCommandInput;
}

export function reportableBindings(bindings: NetworkBinding[], excludeIpv6: boolean): NetworkBinding[] {
  return bindings
    .filter((b) => !(excludeIpv6 && b.bindIP === '::'))
    .map((b) => ({ ...b, bindIP: b.bindIP === '' ? '0.0.0.0' : b.bindIP }));
}

const at = (ms: number | undefined): Date | undefined => (ms === undefined ? undefined : new Date(ms));

export function buildTaskStateChange(task: TaskRecord, opts: { cluster: string; excludeIpv6: boolean }): TaskStateChange {
  const status = task.state.known;
  const reported: TaskStateChange['containers'] = [];
  const containers: ContainerStateChange[] = [];
  for (const c of task.state.containers) {
    const backend = containerBackendStatus(c.known);
    // Containers that never ran have nothing to report unless they carry a stop reason.
    if (backend === undefined || (c.dockerId === undefined && c.reason === undefined && backend !== 'STOPPED')) continue;
    reported.push({ name: c.name, status: c.known });
    containers.push({
      containerName: c.name,
      ...(c.dockerId ? { runtimeId: c.dockerId } : {}),
      ...(c.imageDigest ? { imageDigest: c.imageDigest.slice(0, 255) } : {}),
      status: backend,
      ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
      ...(c.reason ? { reason: c.reason.slice(0, 255) } : {}),
      networkBindings: reportableBindings(c.bindings, opts.excludeIpv6),
    });
  }
  const pullStartedAt = at(task.state.pullStartedAt);
  const pullStoppedAt = at(task.state.pullStoppedAt);
  const executionStoppedAt = status === 'STOPPED' ? at(task.state.executionStoppedAt ?? task.state.stoppedAt) : undefined;
  return {
    taskArn: task.spec.arn,
    status,
    containers: reported,
    input: {
      cluster: opts.cluster,
      task: task.spec.arn,
      status: taskBackendStatus(status),
      reason: task.state.reason.slice(0, 1024),
      containers,
      ...(pullStartedAt ? { pullStartedAt } : {}),
      ...(pullStoppedAt ? { pullStoppedAt } : {}),
      ...(executionStoppedAt ? { executionStoppedAt } : {}),
    },
  };
}
