/**
 * SubmitTaskStateChange bodies, shaped like the official agent's (spec §6.1, transcripts 0004/0005):
 * {cluster, task, status, reason, containers[{containerName, runtimeId, status, exitCode?, reason?,
 * networkBindings}], pullStartedAt?, pullStoppedAt?, executionStoppedAt?}.
 */
import type { ContainerStateChange, NetworkBinding as ReportedBinding, SubmitTaskStateChangeCommandInput } from '@aws-sdk/client-ecs';
import { containerBackendStatus, taskBackendStatus, type ContainerStatus, type TaskStatus } from '../../shared/model/status.js';
import type { NetworkBinding } from '../runtime/runtime.js';
import type { PortMappingSpec, TaskRecord } from '../model/task.js';

/** What a change reports, so the sender can mark exactly that as sent afterwards. */
export interface TaskStateChange {
  taskArn: string;
  status: TaskStatus;
  containers: { name: string; status: ContainerStatus }[];
  input: SubmitTaskStateChangeCommandInput;
}

/**
 * Docker's bindings as reported (§6.1): `::` dropped by default, and a containerPortRange mapped onto
 * contiguous host ports reported as ONE binding per address with containerPortRange and hostPortRange, as ECS
 * shows it (a 1,000-port range is one entry, not 1,000).
 */
export function reportableBindings(bindings: NetworkBinding[], excludeIpv6: boolean, mappings: readonly PortMappingSpec[] = []): ReportedBinding[] {
  let rest = bindings.filter((b) => !(excludeIpv6 && b.bindIP === '::')).map((b) => ({ ...b, bindIP: b.bindIP === '' ? '0.0.0.0' : b.bindIP }));
  const out: ReportedBinding[] = [];
  for (const m of mappings) {
    if (!m.containerPortRange) continue;
    const [lo, hi] = m.containerPortRange;
    const inRange = (b: NetworkBinding): boolean => b.protocol === m.protocol && b.containerPort >= lo && b.containerPort <= hi;
    for (const bindIP of new Set(rest.filter(inRange).map((b) => b.bindIP))) {
      const group = rest.filter((b) => inRange(b) && b.bindIP === bindIP).sort((a, b) => a.containerPort - b.containerPort);
      const first = group[0]!;
      const contiguous = group.length === hi - lo + 1 && group.every((b, i) => b.hostPort === first.hostPort + i);
      if (!contiguous) continue; // reported port by port, as Docker bound them
      out.push({ bindIP, protocol: m.protocol, containerPortRange: `${lo}-${hi}`, hostPortRange: `${first.hostPort}-${first.hostPort + hi - lo}` });
      rest = rest.filter((b) => !group.includes(b));
    }
  }
  return [...out, ...rest];
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
      networkBindings: reportableBindings(c.bindings, opts.excludeIpv6, task.spec.containers.find((s) => s.name === c.name)?.portMappings),
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
