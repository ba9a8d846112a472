/**
 * Port mappings with container port ranges (§3.4, §9): a mapping is either one container port or a
 * `containerPortRange` ("8000-8010", containerPort 0) that maps onto as many contiguous host ports. The state
 * saves one host port per mapping (the first of its range), so these helpers expand it again.
 */
import type { PortMappingSpec } from './task.js';

export interface PortPair {
  containerPort: number;
  hostPort: number;
}

/** "8000-8010" -> [8000, 8010]; undefined when it is not a valid ascending range within 1-65535. */
export function parseContainerPortRange(text: string): [number, number] | undefined {
  const m = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(text);
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  if (lo < 1 || hi > 65535 || lo >= hi) return undefined;
  return [lo, hi];
}

/** How many host ports the mapping needs. */
export function portCount(p: PortMappingSpec): number {
  return p.containerPortRange ? p.containerPortRange[1] - p.containerPortRange[0] + 1 : 1;
}

/** Every container port -> host port pair of the mapping, given its (first) host port. */
export function portPairs(p: PortMappingSpec, hostPort: number): PortPair[] {
  if (!p.containerPortRange) return [{ containerPort: p.containerPort, hostPort }];
  const [lo, hi] = p.containerPortRange;
  const out: PortPair[] = [];
  for (let c = lo; c <= hi; c++) out.push({ containerPort: c, hostPort: hostPort + (c - lo) });
  return out;
}

/** True when the agent picks the host port(s): hostPort 0, or any container port range. */
export function isDynamic(p: PortMappingSpec): boolean {
  return p.hostPort === 0 || p.containerPortRange !== undefined;
}
