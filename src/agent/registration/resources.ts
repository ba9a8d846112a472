/** totalResources for RegisterContainerInstance (spec §1.5): CPU, MEMORY, PORTS, PORTS_UDP. */
import os from 'node:os';
import si from 'systeminformation';
import type { Resource } from '@aws-sdk/client-ecs';
import { BerthError } from '../../shared/errors.js';

export interface HostResources {
  cpuUnits: number;
  memoryMiB: number;
}

export async function readHostResources(reservedMemoryMiB: number): Promise<HostResources> {
  // The host's total memory (MemTotal on Linux), through the project's host-facts library.
  const mem = await si.mem();
  const memoryMiB = Math.floor(mem.total / 2 ** 20) - reservedMemoryMiB;
  if (memoryMiB <= 0) throw new BerthError('ConfigError', `ECS_RESERVED_MEMORY=${reservedMemoryMiB} leaves no memory to register`);
  return { cpuUnits: os.cpus().length * 1024, memoryMiB };
}

export function totalResources(host: HostResources, reservedTcp: readonly number[], reservedUdp: readonly number[]): Resource[] {
  return [
    { name: 'CPU', type: 'INTEGER', integerValue: host.cpuUnits },
    { name: 'MEMORY', type: 'INTEGER', integerValue: host.memoryMiB },
    { name: 'PORTS', type: 'STRINGSET', stringSetValue: reservedTcp.map(String) },
    { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: reservedUdp.map(String) },
  ];
}
