import type { ContainerInstanceRecord, Resource, TaskRecord } from '../store/records.js';
import type { InstanceCapacity } from './placement.js';

/** Tasks hold their reservation from placement until they are STOPPED. */
export function holdsResources(t: TaskRecord): boolean {
  return t.lastStatus !== 'STOPPED';
}

function intResource(resources: readonly Resource[], name: string): number {
  const r = resources.find((x) => x.name === name);
  return r?.integerValue ?? r?.longValue ?? r?.doubleValue ?? 0;
}

function portSet(resources: readonly Resource[], name: string): number[] {
  const r = resources.find((x) => x.name === name);
  return (r?.stringSetValue ?? []).map(Number).filter((n) => Number.isInteger(n));
}

export function instanceCapacity(
  inst: ContainerInstanceRecord,
  tasks: readonly TaskRecord[],
  connected: boolean,
): InstanceCapacity {
  const holding = tasks.filter(holdsResources);
  const reg = inst.registeredResources;
  return {
    arn: inst.arn,
    active: inst.status === 'ACTIVE',
    connected,
    cpu: intResource(reg, 'CPU') - sum(holding.map((t) => t.reserved.cpu)),
    memory: intResource(reg, 'MEMORY') - sum(holding.map((t) => t.reserved.memory)),
    tcpPortsInUse: new Set([...portSet(reg, 'PORTS'), ...holding.flatMap((t) => t.reserved.tcpPorts)]),
    udpPortsInUse: new Set([...portSet(reg, 'PORTS_UDP'), ...holding.flatMap((t) => t.reserved.udpPorts)]),
    taskCount: holding.length,
    ec2InstanceId: inst.ec2InstanceId,
    registeredAt: inst.registeredAt,
    runningTasksCount: holding.filter((t) => t.lastStatus === 'RUNNING').length,
    agentVersion: inst.versionInfo['agentVersion'],
    dockerVersion: inst.versionInfo['dockerVersion'],
    attributes: new Map(inst.attributes.map((a) => [a.name, a.value])),
    taskGroups: countGroups(holding),
  };
}

function countGroups(tasks: readonly TaskRecord[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of tasks) if (t.group !== undefined) m.set(t.group, (m.get(t.group) ?? 0) + 1);
  return m;
}

/**
 * remainingResources as ECS shows it: registered CPU/MEMORY minus reservations; PORTS lists the reserved
 * host ports plus the static ports tasks hold. Registered resources that are not CPU/MEMORY/PORTS pass through.
 */
export function remainingResources(inst: ContainerInstanceRecord, tasks: readonly TaskRecord[]): Resource[] {
  const cap = instanceCapacity(inst, tasks, true);
  return inst.registeredResources.map((r): Resource => {
    switch (r.name) {
      case 'CPU':
        return { ...r, integerValue: cap.cpu };
      case 'MEMORY':
        return { ...r, integerValue: cap.memory };
      case 'PORTS':
        return { ...r, stringSetValue: sortedStrings(cap.tcpPortsInUse) };
      case 'PORTS_UDP':
        return { ...r, stringSetValue: sortedStrings(cap.udpPortsInUse) };
      default:
        return { ...r };
    }
  });
}

function sortedStrings(s: ReadonlySet<number>): string[] {
  return [...s].sort((a, b) => a - b).map(String);
}

function sum(ns: number[]): number {
  return ns.reduce((a, b) => a + b, 0);
}
