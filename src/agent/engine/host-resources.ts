/**
 * Host resource accounting, the newest official behaviour (spec §4.4 [HEAD]): tasks are admitted in FIFO order
 * while their CPU, MEMORY, PORTS and PORTS_UDP fit in the registered totals minus what admitted tasks hold.
 * Resources are held from admission until the task is known STOPPED. A task that could never fit (even on an
 * empty host) is refused, and the engine stops it.
 *
 *   task CPU     = task cpu (vCPU) x 1024, else the sum of container cpu shares
 *   task MEMORY  = task memory (MiB), else per container MemoryReservation (MiB) or memory
 *   PORTS(_UDP)  = static host ports (hostPort != 0), not for awsvpc
 */
import type { TaskSpec } from '../model/task.js';

export interface TaskResources {
  cpu: number;
  memoryMiB: number;
  tcp: number[];
  udp: number[];
}

export interface HostTotals {
  cpu: number;
  memoryMiB: number;
  /** Reserved ports (ECS_RESERVED_PORTS / _UDP): a task may never take them. */
  reservedTcp: readonly number[];
  reservedUdp: readonly number[];
}

const MIB = 2 ** 20;

function memoryReservationMiB(hostConfig: string | undefined): number | undefined {
  if (!hostConfig) return undefined;
  try {
    const v = (JSON.parse(hostConfig) as { MemoryReservation?: unknown }).MemoryReservation;
    return typeof v === 'number' && v > 0 ? Math.ceil(v / MIB) : undefined;
  } catch {
    return undefined;
  }
}

export function taskResources(spec: TaskSpec): TaskResources {
  const cpu = spec.cpu !== undefined ? Math.round(spec.cpu * 1024) : spec.containers.reduce((n, c) => n + c.cpu, 0);
  const memoryMiB = spec.memory ?? spec.containers.reduce((n, c) => n + (memoryReservationMiB(c.dockerHostConfig) ?? c.memory), 0);
  const tcp: number[] = [];
  const udp: number[] = [];
  if (spec.networkMode !== 'awsvpc') {
    for (const c of spec.containers) {
      for (const p of c.portMappings) if (p.hostPort !== 0) (p.protocol === 'udp' ? udp : tcp).push(p.hostPort);
    }
  }
  return { cpu, memoryMiB, tcp, udp };
}

export class HostResourceManager {
  private readonly held = new Map<string, TaskResources>();

  constructor(private readonly totals: HostTotals) {}

  /** Why the task can never run here, or undefined when it could on an otherwise idle host. */
  neverFits(r: TaskResources): string | undefined {
    if (r.cpu > this.totals.cpu) return `task needs ${r.cpu} CPU units, the instance has ${this.totals.cpu}`;
    if (r.memoryMiB > this.totals.memoryMiB) return `task needs ${r.memoryMiB} MiB of memory, the instance has ${this.totals.memoryMiB}`;
    const dup = (ports: number[]): number | undefined => ports.find((p, i) => ports.indexOf(p) !== i);
    const reservedTcp = r.tcp.find((p) => this.totals.reservedTcp.includes(p));
    if (reservedTcp !== undefined) return `host port ${reservedTcp}/tcp is reserved`;
    const reservedUdp = r.udp.find((p) => this.totals.reservedUdp.includes(p));
    if (reservedUdp !== undefined) return `host port ${reservedUdp}/udp is reserved`;
    const d = dup(r.tcp) ?? dup(r.udp);
    if (d !== undefined) return `host port ${d} is mapped twice`;
    return undefined;
  }

  fits(r: TaskResources): boolean {
    let cpu = 0;
    let mem = 0;
    const tcp = new Set<number>();
    const udp = new Set<number>();
    for (const h of this.held.values()) {
      cpu += h.cpu;
      mem += h.memoryMiB;
      h.tcp.forEach((p) => tcp.add(p));
      h.udp.forEach((p) => udp.add(p));
    }
    return (
      cpu + r.cpu <= this.totals.cpu &&
      mem + r.memoryMiB <= this.totals.memoryMiB &&
      !r.tcp.some((p) => tcp.has(p)) &&
      !r.udp.some((p) => udp.has(p))
    );
  }

  hold(arn: string, r: TaskResources): void {
    this.held.set(arn, r);
  }

  release(arn: string): boolean {
    return this.held.delete(arn);
  }

  holds(arn: string): boolean {
    return this.held.has(arn);
  }
}
