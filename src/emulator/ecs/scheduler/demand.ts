import type { ContainerOverride, ResourceDemand } from '../records.js';

/** The container definition members placement reads (model names). */
interface ContainerDefinitionLike {
  name?: string;
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
  portMappings?: { containerPort?: number; hostPort?: number; protocol?: string }[];
}

/** Task cpu is a string in the API: "256" (units) or "0.25 vCPU". Returns CPU units. */
export function parseTaskCpu(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const m = /^\s*([\d.]+)\s*(vcpu)?\s*$/i.exec(raw);
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] ? Math.round(n * 1024) : Math.round(n);
}

/** Task memory is a string in the API: "512" (MiB) or "1 GB". Returns MiB. */
export function parseTaskMemory(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const m = /^\s*([\d.]+)\s*(gb)?\s*$/i.exec(raw);
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] ? Math.round(n * 1024) : Math.round(n);
}

/**
 * What one task of this definition needs on an EC2 instance: task-level cpu/memory when set, otherwise the
 * container sums (memoryReservation counts when memory is absent, as ECS does), plus static host ports.
 * awsvpc tasks have their own ENI, so their ports never conflict on the host.
 */
export function taskDemand(body: Record<string, unknown>, overrides: ContainerOverride[] = []): ResourceDemand {
  const defs = (Array.isArray(body['containerDefinitions']) ? body['containerDefinitions'] : []) as ContainerDefinitionLike[];
  const networkMode = typeof body['networkMode'] === 'string' ? body['networkMode'] : 'bridge';
  let cpu = 0;
  let memory = 0;
  const tcpPorts: number[] = [];
  const udpPorts: number[] = [];
  for (const def of defs) {
    const o = overrides.find((x) => x.name === def.name);
    cpu += o?.cpu ?? def.cpu ?? 0;
    memory += o?.memory ?? o?.memoryReservation ?? def.memory ?? def.memoryReservation ?? 0;
    if (networkMode === 'awsvpc' || networkMode === 'none') continue;
    for (const pm of def.portMappings ?? []) {
      const host = networkMode === 'host' ? (pm.hostPort ?? pm.containerPort) : pm.hostPort;
      if (!host) continue;
      (pm.protocol === 'udp' ? udpPorts : tcpPorts).push(host);
    }
  }
  return {
    cpu: parseTaskCpu(body['cpu']) ?? cpu,
    memory: parseTaskMemory(body['memory']) ?? memory,
    tcpPorts,
    udpPorts,
  };
}
