import type { ContainerInstanceRecord, Resource, TaskRecord } from '../records.js';
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

/** One pass over the instance's tasks: this runs for every instance on every placement. */
export function instanceCapacity(
  inst: ContainerInstanceRecord,
  tasks: readonly TaskRecord[],
  connected: boolean,
): InstanceCapacity {
  const reg = inst.registeredResources;
  let cpu = intResource(reg, 'CPU');
  let memory = intResource(reg, 'MEMORY');
  const tcp = new Set(portSet(reg, 'PORTS'));
  const udp = new Set(portSet(reg, 'PORTS_UDP'));
  const taskGroups = new Map<string, number>();
  let taskCount = 0;
  let runningTasksCount = 0;
  for (const t of tasks) {
    if (!holdsResources(t)) continue;
    taskCount++;
    if (t.lastStatus === 'RUNNING') runningTasksCount++;
    cpu -= t.reserved.cpu;
    memory -= t.reserved.memory;
    for (const p of t.reserved.tcpPorts) tcp.add(p);
    for (const p of t.reserved.udpPorts) udp.add(p);
    if (t.group !== undefined) taskGroups.set(t.group, (taskGroups.get(t.group) ?? 0) + 1);
  }
  return {
    arn: inst.arn,
    active: inst.status === 'ACTIVE',
    connected,
    cpu,
    memory,
    tcpPortsInUse: tcp,
    udpPortsInUse: udp,
    taskCount,
    ec2InstanceId: inst.ec2InstanceId,
    registeredAt: inst.registeredAt,
    runningTasksCount,
    agentVersion: inst.versionInfo['agentVersion'],
    dockerVersion: inst.versionInfo['dockerVersion'],
    attributes: new Map(inst.attributes.map((a) => [a.name, a.value])),
    taskGroups,
  };
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
