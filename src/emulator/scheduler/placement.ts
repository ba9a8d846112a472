import type { ResourceDemand } from '../store/records.js';

/**
 * Pure placement: N copies of one task demand x the cluster's instances -> an instance per task, or the
 * reasons nothing fits. Tasks are spread: each goes to the fitting instance that holds the fewest tasks.
 */
export interface InstanceCapacity {
  arn: string;
  active: boolean;
  connected: boolean;
  cpu: number;
  memory: number;
  tcpPortsInUse: ReadonlySet<number>;
  udpPortsInUse: ReadonlySet<number>;
  /** Tasks already on the instance (not STOPPED), for spreading. */
  taskCount: number;
}

export interface PlacementFailure {
  arn?: string;
  reason: string;
}

export interface PlacementResult {
  /** Instance ARN per placed task, in task order. */
  assignments: string[];
  failures: PlacementFailure[];
}

export const NO_INSTANCES = 'No Container Instances were found in your cluster.';

/** Why `demand` does not fit `cap` right now, or undefined when it fits. Reasons as ECS reports them. */
export function rejectReason(cap: InstanceCapacity, demand: ResourceDemand): string | undefined {
  if (!cap.connected) return 'AGENT';
  if (demand.cpu > cap.cpu) return 'RESOURCE:CPU';
  if (demand.memory > cap.memory) return 'RESOURCE:MEMORY';
  if (hasConflict(demand.tcpPorts, cap.tcpPortsInUse)) return 'RESOURCE:PORTS';
  if (hasConflict(demand.udpPorts, cap.udpPortsInUse)) return 'RESOURCE:PORTS_UDP';
  return undefined;
}

function hasConflict(ports: readonly number[], inUse: ReadonlySet<number>): boolean {
  const seen = new Set<number>();
  for (const p of ports) {
    if (inUse.has(p) || seen.has(p)) return true;
    seen.add(p);
  }
  return false;
}

function reserve(cap: InstanceCapacity, d: ResourceDemand): InstanceCapacity {
  return {
    ...cap,
    cpu: cap.cpu - d.cpu,
    memory: cap.memory - d.memory,
    tcpPortsInUse: new Set([...cap.tcpPortsInUse, ...d.tcpPorts]),
    udpPortsInUse: new Set([...cap.udpPortsInUse, ...d.udpPorts]),
    taskCount: cap.taskCount + 1,
  };
}

export function placeTasks(count: number, demand: ResourceDemand, instances: readonly InstanceCapacity[]): PlacementResult {
  let caps = instances.filter((c) => c.active);
  if (caps.length === 0) {
    return { assignments: [], failures: count > 0 ? [{ reason: NO_INSTANCES }] : [] };
  }
  const assignments: string[] = [];
  const failures = new Map<string, PlacementFailure>();
  for (let i = 0; i < count; i++) {
    const fitting = caps.filter((c) => rejectReason(c, demand) === undefined);
    if (fitting.length === 0) {
      // One failure per instance and reason, like ECS, however many tasks did not fit.
      for (const c of caps) {
        const reason = rejectReason(c, demand) ?? 'RESOURCE:CPU';
        failures.set(`${c.arn}|${reason}`, { arn: c.arn, reason });
      }
      continue;
    }
    const best = fitting.reduce((a, b) => (b.taskCount < a.taskCount ? b : a));
    assignments.push(best.arn);
    caps = caps.map((c) => (c === best ? reserve(c, demand) : c));
  }
  return { assignments, failures: [...failures.values()] };
}
