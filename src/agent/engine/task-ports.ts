/**
 * The dynamic host ports a task holds (§5.9): claimed again for live tasks after a restart, released when the
 * task is known STOPPED. Static host ports are not the allocator's (host resources account for them).
 */
import type { PortAllocator } from '../network/port-allocator.js';
import { isDynamic, portPairs } from '../model/port-mapping.js';
import type { TaskRecord } from '../model/task.js';

function forEachDynamicPort(rec: TaskRecord, fn: (port: number, protocol: 'tcp' | 'udp') => void): void {
  for (const spec of rec.spec.containers) {
    const c = rec.state.containers.find((x) => x.name === spec.name);
    spec.portMappings.forEach((p, i) => {
      const port = c?.hostPorts?.[i];
      if (isDynamic(p) && port !== undefined) for (const pair of portPairs(p, port)) fn(pair.hostPort, p.protocol);
    });
  }
}

export function claimTaskPorts(rec: TaskRecord, ports: PortAllocator): void {
  forEachDynamicPort(rec, (port, protocol) => ports.claim(port, protocol));
}

export function releaseTaskPorts(rec: TaskRecord, ports: PortAllocator): void {
  forEachDynamicPort(rec, (port, protocol) => ports.release(port, protocol));
}
