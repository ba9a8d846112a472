/**
 * Dynamic host ports (spec §5.9): for hostPort 0 the agent picks the port itself, walking sequentially from
 * the last assigned port + 1 through ECS_DYNAMIC_HOST_PORT_RANGE, skipping reserved ports and ports it
 * handed out for live tasks, and testing each candidate by binding it.
 */
import net from 'node:net';
import dgram from 'node:dgram';

export type PortProbe = (port: number, protocol: 'tcp' | 'udp') => Promise<boolean>;

/** True when nothing listens on the port (we could bind it on all interfaces). */
export const bindProbe: PortProbe = (port, protocol) =>
  new Promise((resolve) => {
    if (protocol === 'udp') {
      const s = dgram.createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '0.0.0.0', () => s.close(() => resolve(true)));
      return;
    }
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '0.0.0.0', exclusive: true }, () => srv.close(() => resolve(true)));
  });

export interface PortAllocatorOptions {
  range: readonly [number, number];
  reservedTcp: readonly number[];
  reservedUdp: readonly number[];
  probe?: PortProbe;
}

export class PortAllocator {
  private last: number;
  private readonly inUse = { tcp: new Set<number>(), udp: new Set<number>() };
  private readonly probe: PortProbe;

  constructor(private readonly opts: PortAllocatorOptions) {
    this.last = opts.range[0] - 1;
    this.probe = opts.probe ?? bindProbe;
  }

  /** Marks ports as taken (ports of tasks reloaded after a restart). */
  claim(port: number, protocol: 'tcp' | 'udp'): void {
    this.inUse[protocol].add(port);
  }

  release(port: number, protocol: 'tcp' | 'udp'): void {
    this.inUse[protocol].delete(port);
  }

  private usable(port: number, protocol: 'tcp' | 'udp'): boolean {
    const reserved = protocol === 'tcp' ? this.opts.reservedTcp : this.opts.reservedUdp;
    return !reserved.includes(port) && !this.inUse[protocol].has(port);
  }

  /**
   * `count` contiguous host ports for a containerPortRange (§9), the first returned. Like the official
   * agent's getHostPortRange: windows start after the last assigned port and wrap around; every port of a
   * window must be unreserved, not handed out, and free (probed).
   */
  async allocateRange(count: number, protocol: 'tcp' | 'udp'): Promise<number> {
    if (count === 1) return this.allocate(protocol);
    const [lo, hi] = this.opts.range;
    const size = hi - lo + 1;
    if (count < 1 || count > size) throw new Error(`cannot allocate ${count} contiguous ${protocol} host ports in ${lo}-${hi}`);
    let start = this.last + 1;
    for (let tried = 0; tried < size; tried++, start++) {
      if (start < lo || start + count - 1 > hi) start = lo;
      let ok = true;
      for (let p = start; p < start + count && ok; p++) ok = this.usable(p, protocol) && (await this.probe(p, protocol));
      if (!ok) continue;
      for (let p = start; p < start + count; p++) this.inUse[protocol].add(p);
      this.last = start + count - 1;
      return start;
    }
    throw new Error(`no ${count} contiguous free ${protocol} host ports in ${lo}-${hi}`);
  }

  async allocate(protocol: 'tcp' | 'udp'): Promise<number> {
    const [lo, hi] = this.opts.range;
    const size = hi - lo + 1;
    let candidate = this.last;
    for (let i = 0; i < size; i++) {
      candidate = candidate >= hi || candidate < lo ? lo : candidate + 1;
      if (!this.usable(candidate, protocol)) continue;
      if (!(await this.probe(candidate, protocol))) continue;
      this.last = candidate;
      this.inUse[protocol].add(candidate);
      return candidate;
    }
    throw new Error(`no free ${protocol} host port in ${lo}-${hi}`);
  }
}
